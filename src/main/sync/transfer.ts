// Moving one file each way, verified. Uploads send Content-MD5 for every request body (single
// part or each part), so the server refuses bytes that differ from what we hashed; multipart
// uploads are checked against the file's composite ETag before they are completed, and aborted
// otherwise. Downloads land in a temp file beside the target, are MD5-verified, and only then
// renamed into place; the previous version goes to the trash.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ChangedDuringSyncError, FileChangedError, HashMismatchError, SyncError, httpStatus } from './errors';
import type { FileIdentity } from './hash-cache';
import {
  StreamingHasher,
  base64ToHex,
  candidatePartSizes,
  cleanEtag,
  hashFile,
  hexToBase64,
  isPlainMd5,
  multipartCount,
  type FileHashes,
} from './md5';
import { ensureParentInside } from './paths';
import { lowerKeys } from './s3';
import type { Semaphore } from './concurrency';
import { runPool } from './concurrency';
import { tempNameFor } from './store';
import type { Trash } from './trash';
import type { UploadJournal } from './journal';

export const META_MD5 = 's3lync-md5';
export const META_RCLONE_MD5 = 'md5chksum';

export interface TransferSettings {
  /** Files at least this big are uploaded in parts. */
  multipartThreshold: number;
  partSize: number;
  /** Parts of one file in flight at once. */
  partConcurrency: number;
  /** Bytes that may be buffered in memory at once, across all transfers. */
  memory: Semaphore;
  /** Where interrupted multipart uploads are remembered so they can resume; null: never resume. */
  journal: UploadJournal | null;
}

/** S3 allows at most 10,000 parts: very large files get larger parts (whole MiB). */
export function partSizeFor(size: number, configured: number): number {
  const MiB = 1024 * 1024;
  const needed = Math.ceil(size / 10_000 / MiB) * MiB;
  return Math.max(configured, needed);
}

export interface UploadResult {
  etag: string;
  md5: string;
  identity: FileIdentity;
  composite: Record<number, string>;
}

function identityOf(st: { size: number; mtimeMs: number; ino: number }): FileIdentity {
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** Stored with every upload so any reader can verify the whole file (hex and rclone's base64). */
function md5Metadata(md5: string): Record<string, string> {
  return { [META_MD5]: md5, [META_RCLONE_MD5]: hexToBase64(md5) };
}

export async function uploadFile(
  client: S3Client,
  settings: TransferSettings,
  args: {
    bucket: string;
    key: string;
    abs: string;
    rel: string;
    /** Hashes known before the upload (hash cache); needed up front for multipart metadata. */
    hashes?: (partSizes: number[]) => Promise<FileHashes>;
    onBytes: (n: number) => void;
    signal?: AbortSignal;
    /** Runs right before the object is written (PUT, or completing a multipart upload); may throw to postpone. */
    beforeCommit?: () => Promise<void>;
  },
): Promise<UploadResult> {
  const before = await fs.stat(args.abs);
  if (before.size < settings.multipartThreshold) return uploadSingle(client, settings, args, identityOf(before));
  return uploadMultipart(client, settings, args, identityOf(before));
}

async function uploadSingle(
  client: S3Client,
  settings: TransferSettings,
  args: { bucket: string; key: string; abs: string; rel: string; onBytes: (n: number) => void; signal?: AbortSignal; beforeCommit?: () => Promise<void> },
  before: FileIdentity,
): Promise<UploadResult> {
  const release = await settings.memory.acquire(Math.max(1, before.size));
  try {
    // Read once, hash exactly the bytes we send: the server checks them against Content-MD5.
    const body = await fs.readFile(args.abs);
    const after = identityOf(await fs.stat(args.abs));
    if (body.length !== after.size || !sameIdentity(before, after)) throw new FileChangedError(args.rel);
    const md5 = createHash('md5').update(body).digest('hex');
    await args.beforeCommit?.();
    const r = await client.send(
      new PutObjectCommand({
        Bucket: args.bucket,
        Key: args.key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: hexToBase64(md5),
        Metadata: md5Metadata(md5),
      }),
      { abortSignal: args.signal },
    );
    const etag = cleanEtag(r.ETag);
    if (isPlainMd5(etag) && etag !== md5 && !r.ServerSideEncryption?.includes('kms') && !r.SSECustomerAlgorithm) {
      throw new HashMismatchError(`s3://${args.bucket}/${args.key}`, md5, etag);
    }
    args.onBytes(body.length);
    return { etag, md5, identity: after, composite: {} };
  } finally {
    release();
  }
}

async function uploadMultipart(
  client: S3Client,
  settings: TransferSettings,
  args: {
    bucket: string;
    key: string;
    abs: string;
    rel: string;
    hashes?: (partSizes: number[]) => Promise<FileHashes>;
    onBytes: (n: number) => void;
    signal?: AbortSignal;
    beforeCommit?: () => Promise<void>;
  },
  before: FileIdentity,
): Promise<UploadResult> {
  const partSize = partSizeFor(before.size, settings.partSize);
  const hashes = args.hashes ? await args.hashes([partSize]) : await hashFile(args.abs, [partSize]);
  const expectedComposite = hashes.composite[partSize];
  if (hashes.size !== before.size) throw new FileChangedError(args.rel);
  const parts = Math.max(1, Math.ceil(before.size / partSize));
  const journal = settings.journal;
  // Resume an upload of exactly this file that an earlier run left unfinished.
  let uploadId: string | undefined;
  let done = new Map<number, { etag: string; size: number }>();
  const pending = journal ? await journal.find(args.bucket, args.key) : null;
  if (pending && journal && !pending.uploadId) {
    await journal.abortAllFor(client, pending); // a crash came between "about to create" and "created"
  } else if (pending && journal) {
    const same = pending.size === before.size && pending.mtimeMs === before.mtimeMs && pending.ino === before.ino && pending.md5 === hashes.md5 && pending.partSize === partSize;
    const listed = same ? await journal.listParts(client, pending) : null;
    if (listed) {
      uploadId = pending.uploadId;
      done = listed;
    } else {
      await journal.abortAllFor(client, pending); // the file changed, or the server forgot the upload
    }
  }
  if (!uploadId) {
    const intent = { bucket: args.bucket, key: args.key, uploadId: '', partSize, size: before.size, mtimeMs: before.mtimeMs, ino: before.ino, md5: hashes.md5, createdAt: Date.now() };
    await journal?.save(intent);
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: args.bucket, Key: args.key, Metadata: md5Metadata(hashes.md5) }),
      { abortSignal: args.signal },
    );
    uploadId = created.UploadId;
    if (!uploadId) throw new SyncError(`The S3 server did not start a multipart upload for ${args.rel}.`);
    await journal?.save({ ...intent, uploadId });
  }
  const digests: Buffer[] = new Array(parts);
  const etags: string[] = new Array(parts);
  let sent = 0;
  const handle = await fs.open(args.abs, 'r');
  try {
    await runPool(
      Array.from({ length: parts }, (_, i) => i),
      settings.partConcurrency,
      async (i) => {
        const offset = i * partSize;
        const length = Math.min(partSize, before.size - offset);
        const release = await settings.memory.acquire(length);
        try {
          const buf = Buffer.allocUnsafe(length);
          let got = 0;
          while (got < length) {
            const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
            if (bytesRead === 0) throw new FileChangedError(args.rel);
            got += bytesRead;
          }
          const digest = createHash('md5').update(buf).digest();
          const already = done.get(i + 1);
          if (already && already.size === length && already.etag === digest.toString('hex')) {
            // This part reached the server in an earlier run: same bytes, nothing to send.
            digests[i] = digest;
            etags[i] = `"${already.etag}"`;
            sent += length;
            args.onBytes(length);
            return;
          }
          const r = await client.send(
            new UploadPartCommand({
              Bucket: args.bucket,
              Key: args.key,
              UploadId: uploadId,
              PartNumber: i + 1,
              Body: buf,
              ContentLength: length,
              ContentMD5: digest.toString('base64'),
            }),
            { abortSignal: args.signal },
          );
          const etag = cleanEtag(r.ETag);
          if (isPlainMd5(etag) && etag !== digest.toString('hex')) {
            throw new HashMismatchError(`part ${i + 1} of ${args.rel}`, digest.toString('hex'), etag);
          }
          digests[i] = digest;
          etags[i] = r.ETag ?? `"${digest.toString('hex')}"`;
          sent += length;
          args.onBytes(length);
        } finally {
          release();
        }
      },
    );
    const composite = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts}`;
    const after = identityOf(await handle.stat());
    if (composite !== expectedComposite || !sameIdentity(before, after)) throw new FileChangedError(args.rel);
    await args.beforeCommit?.(); // postponing keeps the parts: the next run resumes them
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: args.bucket,
        Key: args.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
      { abortSignal: args.signal },
    );
    await journal?.remove(args.bucket, args.key);
    return { etag: cleanEtag(completed.ETag) || composite, md5: hashes.md5, identity: after, composite: { [partSize]: composite } };
  } catch (err) {
    args.onBytes(-sent);
    // Interrupted (network, cancel): keep the parts for next time. Wrong bytes: throw them away.
    const keep = journal && !(err instanceof FileChangedError) && !(err instanceof HashMismatchError);
    if (!keep) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: args.bucket, Key: args.key, UploadId: uploadId })).catch(() => undefined);
      await journal?.remove(args.bucket, args.key);
    }
    throw err;
  } finally {
    await handle.close();
  }
}

export interface DownloadResult {
  md5: string;
  identity: FileIdentity;
  composite: Record<number, string>;
  /** False when the object carries no checksum we can check (e.g. SSE-KMS without our metadata). */
  verified: boolean;
}

export async function downloadFile(
  client: S3Client,
  args: {
    bucket: string;
    key: string;
    root: string;
    abs: string;
    rel: string;
    expect: { size: number; etag: string; lastModified: number };
    /** The local file as the plan saw it (null: there was none). Anything else is not replaced. */
    localBefore: FileIdentity | null;
    trash: Trash | null;
    onBytes: (n: number) => void;
    signal?: AbortSignal;
    /** Asks the server for the exact part size of a multipart object (HEAD ?partNumber=1). */
    exactPartSize: () => Promise<number | undefined>;
  },
): Promise<DownloadResult> {
  const problem = await ensureParentInside(args.root, args.abs);
  if (problem) throw new SyncError(`${args.rel} was not downloaded: ${problem}, and s3lync never writes through links or over files.`);
  const tmp = tempNameFor(args.abs);
  let received = 0;
  try {
    let r;
    try {
      r = await client.send(
        new GetObjectCommand({ Bucket: args.bucket, Key: args.key, IfMatch: args.expect.etag ? `"${args.expect.etag}"` : undefined }),
        { abortSignal: args.signal },
      );
    } catch (err) {
      if (httpStatus(err) === 412) {
        throw new ChangedDuringSyncError(`${args.rel} changed on S3 while the sync ran, so it was not downloaded; run the sync again.`);
      }
      throw err;
    }
    const parts = multipartCount(args.expect.etag);
    const hasher = new StreamingHasher(parts ? candidatePartSizes(args.expect.size, parts) : []);
    const fh = await fs.open(tmp, 'wx', 0o644);
    let got: FileHashes;
    let verified: boolean;
    const body = r.Body as Readable;
    try {
      // Hash exactly the bytes written, as they are written, into a handle we then fsync.
      for await (const chunk of body) {
        if (args.signal?.aborted) throw Object.assign(new Error('The sync was cancelled.'), { name: 'AbortError' });
        const buf = chunk as Buffer;
        hasher.update(buf);
        let off = 0;
        while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
        received += buf.length;
        args.onBytes(buf.length);
      }
      got = hasher.digest();
      if (r.ContentLength !== undefined && got.size !== r.ContentLength) {
        throw Object.assign(new Error(`body of ${args.rel} ended after ${got.size} of ${r.ContentLength} bytes`), { code: 'ECONNRESET' });
      }
      verified = await verifyDownload(args, got, lowerKeys(r.Metadata ?? {}), r.SSECustomerAlgorithm ? 'SSE-C' : r.ServerSideEncryption, tmp);
      await fh.datasync(); // on disk before it takes the real name
    } finally {
      body.destroy();
      await fh.close();
    }
    // Rescan before replace: a local file created or edited since the plan is left alone.
    const current = await fs.lstat(args.abs).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (current && !current.isFile()) {
      throw new SyncError(`${args.rel} was not downloaded: a folder or link of that name is in the way.`);
    }
    if ((current === null) !== (args.localBefore === null) || (current && args.localBefore && !sameIdentity(identityOf(current), args.localBefore))) {
      throw new ChangedDuringSyncError(`${args.rel} changed locally while the sync ran, so it was not replaced; run the sync again.`);
    }
    if (current && args.trash) await args.trash.keepCopy(args.abs, args.rel);
    if (args.expect.lastModified > 0) {
      const t = new Date(args.expect.lastModified);
      await fs.utimes(tmp, t, t);
    }
    // The identity of what we wrote (rename keeps inode and mtime), read before anyone else can
    // write to the final name; and one last look that the old file is still the one we saw.
    const identity = identityOf(await fs.stat(tmp));
    const last = await fs.lstat(args.abs).catch(() => null);
    if ((last === null) !== (args.localBefore === null) || (last && args.localBefore && !sameIdentity(identityOf(last), args.localBefore))) {
      throw new ChangedDuringSyncError(`${args.rel} changed locally while the sync ran, so it was not replaced; run the sync again.`);
    }
    await fs.rename(tmp, args.abs);
    return { md5: got.md5, identity, composite: got.composite, verified };
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    args.onBytes(-received);
    throw err;
  }
}

async function verifyDownload(
  args: { bucket: string; key: string; rel: string; expect: { size: number; etag: string }; exactPartSize: () => Promise<number | undefined> },
  got: FileHashes,
  metadata: Record<string, string>,
  encryption: string | undefined,
  tmp: string,
): Promise<boolean> {
  const label = `s3://${args.bucket}/${args.key}`;
  const ours = metadata[META_MD5]?.toLowerCase();
  const theirs = metadata[META_RCLONE_MD5] ? base64ToHex(metadata[META_RCLONE_MD5]) : null;
  const stated = ours && /^[0-9a-f]{32}$/.test(ours) ? ours : theirs;
  const etagIsMd5 = isPlainMd5(args.expect.etag) && !encryption?.includes('kms') && encryption !== 'SSE-C';
  if (stated) {
    if (got.md5 !== stated) throw new HashMismatchError(label, stated, got.md5);
    if (etagIsMd5 && got.md5 !== args.expect.etag) throw new HashMismatchError(label, args.expect.etag, got.md5);
    return true;
  }
  if (etagIsMd5) {
    if (got.md5 !== args.expect.etag) throw new HashMismatchError(label, args.expect.etag, got.md5);
    return true;
  }
  const parts = multipartCount(args.expect.etag);
  if (parts && !encryption?.includes('kms') && encryption !== 'SSE-C') {
    if (Object.values(got.composite).includes(args.expect.etag)) return true;
    const exact = await args.exactPartSize();
    if (!exact) return false; // the server cannot tell the part size: unverifiable, said so
    if (got.composite[exact] === undefined) {
      const again = await hashFile(tmp, [exact]);
      if (again.composite[exact] === args.expect.etag) return true;
    }
    throw new HashMismatchError(label, args.expect.etag, Object.values(got.composite)[0] ?? got.md5);
  }
  return false;
}
