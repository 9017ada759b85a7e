// The error classes users (and library callers) see, and the one place that turns any thrown
// value into a clear sentence. Nothing here ever prints a stack trace.

export class S3lyncError extends Error {
  /** What the user can do about it, when we know. */
  hint?: string;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** Bad input: an invalid S3 URI, a missing local path, an invalid flag. Exit code 2. */
export class S3ObjectError extends S3lyncError {}

/** A sync (transfer, listing, deletion) failed. Exit code 1. */
export class SyncError extends S3lyncError {}

/** Bytes received or sent do not match the expected MD5. The bad copy is never kept. */
export class HashMismatchError extends S3lyncError {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The MD5 of ${path} is ${actual}, but ${expected} was expected: the data was corrupted in transit or changed while it was copied. The bad copy was discarded and nothing was replaced; run the sync again.`,
    );
  }
}

/** A local file changed while we read it; the upload was not completed (retried, then reported). */
export class FileChangedError extends SyncError {
  constructor(readonly path: string) {
    super(`${path} changed while it was being uploaded, so the upload was abandoned and the copy on S3 was left as it was. It will be uploaded once it stops changing; run the sync again.`);
  }
}

/** An object changed on S3 (or a local file changed) between planning and transferring. */
export class ChangedDuringSyncError extends SyncError {}

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

function awsCode(err: unknown): string | undefined {
  const e = err as AwsLikeError;
  return e?.Code ?? e?.name ?? e?.code;
}

export function httpStatus(err: unknown): number | undefined {
  return (err as AwsLikeError)?.$metadata?.httpStatusCode;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Worth trying again: throttling, 5xx, network trouble, a body cut short. Never other 4xx. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof HashMismatchError || err instanceof FileChangedError) return true; // try a fresh copy
  if (err instanceof S3lyncError) return false;
  const code = awsCode(err);
  const status = httpStatus(err);
  if (code && ['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'BadDigest', 'XAmzContentSHA256Mismatch', 'IncompleteBody', 'RequestTimeTooSkewed'].includes(code)) {
    return true;
  }
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  const errno = (err as NodeJS.ErrnoException)?.code;
  if (errno && NETWORK_CODES.has(errno)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  const msg = String((err as Error)?.message ?? '');
  return /socket hang up|premature close|aborted|ECONNRESET|EPIPE|timed? ?out/i.test(msg);
}

export interface DescribeContext {
  /** What we were doing, e.g. "listing s3://bucket/prefix/". */
  action?: string;
  endpoint?: string;
  bucket?: string;
}

/**
 * One clear sentence (plus what to do) for any error. Access denied, a missing bucket and bad
 * credentials are distinct on purpose: the seed library made them all look like "missing".
 */
export function describeError(err: unknown, ctx: DescribeContext = {}): string {
  const where = ctx.action ? ` while ${ctx.action}` : '';
  if (err instanceof S3lyncError) {
    return err.hint ? `${err.message} ${err.hint}` : err.message;
  }
  const code = awsCode(err);
  const status = httpStatus(err);
  const endpoint = ctx.endpoint ?? 'the S3 endpoint';
  switch (code) {
    case 'NoSuchBucket':
      return `The bucket${ctx.bucket ? ` "${ctx.bucket}"` : ''} does not exist on ${endpoint}${where}. Check the bucket name and the endpoint, or create the bucket first.`;
    case 'InvalidAccessKeyId':
      return `The S3 server does not know this access key${where}. Check the credentials (AWS_ACCESS_KEY_ID, --profile, or the app's connection profile).`;
    case 'SignatureDoesNotMatch':
      return `The S3 server rejected the secret key (signature mismatch)${where}. Check the secret access key for this profile.`;
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return `The credentials have expired${where}. Refresh them (for SSO: aws sso login) and run again.`;
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `Access denied${where}: the credentials are valid but lack permission for this bucket or key. Ask for s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on it, or use another profile.`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return `The bucket is in another region${where}. Pass --region with the bucket's region.`;
    case 'CredentialsProviderError':
      return `No AWS credentials were found${where}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a profile (aws configure) and pass --profile, or run aws sso login.`;
    case 'SlowDown':
    case 'Throttling':
      return `The S3 server kept asking us to slow down${where}, even after retries. Lower --concurrency and run again.`;
  }
  const errno = (err as NodeJS.ErrnoException)?.code;
  const message = String((err as Error)?.message ?? err);
  if (/Region is missing/i.test(message)) {
    return `No AWS region is configured${where}. Pass --region (for example --region us-east-1) or set AWS_REGION.`;
  }
  if (errno === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return `Could not connect to ${endpoint}${where}: the connection was refused. Check --endpoint and that the server is running.`;
  }
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message)) {
    return `Could not resolve the host of ${endpoint}${where}. Check --endpoint and your network connection.`;
  }
  if (errno === 'ENOSPC') {
    return `The disk is full${where}. Free some space and run again; no partial file was kept.`;
  }
  if (errno === 'EACCES' || errno === 'EPERM') {
    return `Permission denied${where}: ${(err as NodeJS.ErrnoException).path ?? 'a local file'} cannot be read or written. Fix its permissions or exclude it.`;
  }
  if (errno === 'ENOENT') {
    return `${(err as NodeJS.ErrnoException).path ?? 'A file'} does not exist${where}.`;
  }
  if (isRetryable(err)) {
    const detail = status ? `HTTP ${status}${code ? ` ${code}` : ''}` : (errno ?? code ?? firstLine(message));
    return `The S3 server or the network failed${where} (${detail}), even after retries. Run again; nothing was deleted.`;
  }
  if (status === 404 || code === 'NotFound' || code === 'NoSuchKey') {
    return `Not found${where}.`;
  }
  const detail = [status ? `HTTP ${status}` : '', code && code !== 'Error' ? code : '', firstLine(message)]
    .filter(Boolean)
    .join(': ');
  return `Failed${where}: ${detail}.`;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/\.$/, '').slice(0, 300);
}

export function errorName(err: unknown): string {
  if (err instanceof Error) return err.name;
  return 'Error';
}
