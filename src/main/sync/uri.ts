// S3 URIs: s3://bucket, s3://bucket/prefix/, s3://bucket/key. Anything else is a usage error.
import { S3ObjectError } from './errors';

export interface S3Uri {
  bucket: string;
  /** Everything after `bucket/`, as typed ('' for the whole bucket). */
  key: string;
}

// Bucket names as S3 and S3-compatible stores accept them (lenient on dots and case for the
// latter, strict on characters that would break URLs).
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

export function parseS3Uri(input: string): S3Uri {
  if (typeof input !== 'string' || !input.startsWith('s3://')) {
    throw new S3ObjectError(
      `"${input}" is not an S3 URI. Write it as s3://bucket, s3://bucket/prefix/ or s3://bucket/key.`,
    );
  }
  const rest = input.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!bucket) {
    throw new S3ObjectError(`"${input}" has no bucket name. Write it as s3://bucket/prefix/.`);
  }
  if (!BUCKET_RE.test(bucket)) {
    throw new S3ObjectError(
      `"${bucket}" is not a valid bucket name (use letters, digits, dots and hyphens, 3 to 255 characters).`,
    );
  }
  if (key.includes('\0')) {
    throw new S3ObjectError(`"${input}" contains a NUL character, which no S3 key may hold.`);
  }
  return { bucket, key };
}

export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** The prefix form of a key: '' stays '', otherwise it ends with exactly one '/'. */
export function asPrefix(key: string): string {
  if (key === '') return '';
  return key.endsWith('/') ? key : `${key}/`;
}
