// Moving one file each way, verified. Uploads send Content-MD5 for every request body (single
// part or each part), so the server refuses bytes that differ from what we hashed; multipart
// uploads read the file once, in order, hashing the whole file from the very bytes they send, and
// are completed only if the file did not change meanwhile (aborted otherwise). Downloads land in
// a temp file beside the target, are MD5-verified, and only then renamed into place; the previous
// version goes to the trash.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ChangedDuringSyncError, FileChangedError, HashMismatchError, SyncError, httpStatus } from './errors';
import type { FileIdentity } from './hash-cache';
import {
  base64ToHex,
  candidatePartSizes,
  cleanEtag,
  hexToBase64,
  isPlainMd5,
  hashFile,
  multipartCount,
  StreamingHasher,
  type FileHashes,
} from './md5';
import { BALLAST_MIN_BYTES, holdGcBallast } from './memory';
import { ensureParentInside } from './paths';
import { lowerKeys } from './s3';
import type { Semaphore } from './concurrency';
import { runPool } from './concurrency';
import { tempNameFor } from './store';
import type { Trash } from './trash';
import type { UploadJournal } from './journal';

export const META_MD5 = 's3lync-md5';
export const META_RCLONE_MD5 = 'md5chksum';
/** The part size of our multipart uploads, so any reader can recompute their composite ETag. */
export const META_PART_SIZE = 's3lync-part-size';

/** The part size an object's metadata declares, when it is consistent with its ETag's part count. */
export function declaredPartSize(metadata: Record<string, string>, size: number, parts: number): number | undefined {
  const p = Number(metadata[META_PART_SIZE]);
  return Number.isSafeInteger(p) && p > 0 && Math.ceil(size / p) === parts ? p : undefined;
}

/** The whole-file MD5 an object's metadata states (ours, else rclone's), or null. */
export function statedMd5Of(metadata: Record<string, string>): string | null {
  const ours = metadata[META_MD5]?.toLowerCase();
  if (ours && /^[0-9a-f]{32}$/.test(ours)) return ours;
  return metadata[META_RCLONE_MD5] ? base64ToHex(metadata[META_RCLONE_MD5]) : null;
}

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
    /**
     * The file's MD5 when it is already known (hash cache). A multipart upload then carries it
     * in its metadata (and checks it before completing); otherwise it does not read the file an
     * extra time just for that, and the object is identified by its composite ETag.
     */
    knownMd5?: string;
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
    knownMd5?: string;
    onBytes: (n: number) => void;
    signal?: AbortSignal;
    beforeCommit?: () => Promise<void>;
  },
  before: FileIdentity,
): Promise<UploadResult> {
  const partSize = partSizeFor(before.size, settings.partSize);
  const parts = Math.max(1, Math.ceil(before.size / partSize));
  const journal = settings.journal;
  // The whole-file MD5 our metadata states ('' when the object carries none): it must match the
  // bytes sent, checked before the upload is completed.
  let statedMd5 = args.knownMd5 ?? '';
  // Resume an upload of exactly this file that an earlier run left unfinished.
  let uploadId: string | undefined;
  let done = new Map<number, { etag: string; size: number }>();
  const pending = journal ? await journal.find(args.bucket, args.key) : null;
  if (pending && journal && !pending.uploadId) {
    await journal.abortAllFor(client, pending); // a crash came between "about to create" and "created"
  } else if (pending && journal) {
    const same =
      pending.size === before.size &&
      pending.mtimeMs === before.mtimeMs &&
      pending.ino === before.ino &&
      pending.partSize === partSize &&
      (!statedMd5 || !pending.md5 || pending.md5 === statedMd5);
    const listed = same ? await journal.listParts(client, pending) : null;
    if (listed) {
      uploadId = pending.uploadId;
      done = listed;
      statedMd5 = pending.md5; // what the upload's metadata already says
    } else {
      await journal.abortAllFor(client, pending); // the file changed, or the server forgot the upload
    }
  }
  if (!uploadId) {
    const intent = { bucket: args.bucket, key: args.key, uploadId: '', partSize, size: before.size, mtimeMs: before.mtimeMs, ino: before.ino, md5: statedMd5, createdAt: Date.now() };
    await journal?.save(intent);
    const created = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: args.bucket,
        Key: args.key,
        Metadata: { [META_PART_SIZE]: String(partSize), ...(statedMd5 ? md5Metadata(statedMd5) : {}) },
      }),
      { abortSignal: args.signal },
    );
    uploadId = created.UploadId;
    if (!uploadId) throw new SyncError(`The S3 server did not start a multipart upload for ${args.rel}.`);
    await journal?.save({ ...intent, uploadId });
  }
  const digests: Buffer[] = new Array(parts);
  const etags: string[] = new Array(parts);
  // Parts are read one after another, in order, so the whole-file MD5 is computed from exactly
  // the bytes that are sent, in the same single read; sending runs `partConcurrency` wide.
  let readTurn: Promise<void> = Promise.resolve();
  let nextToHash = 0;
  let sent = 0;
  const handle = await fs.open(args.abs, 'r');
  const whole = new StreamingHasher();
  try {
    await runPool(
      Array.from({ length: parts }, (_, i) => i),
      settings.partConcurrency,
      async (i) => {
        const offset = i * partSize;
        const length = Math.min(partSize, before.size - offset);
        // Take this part's place in the read order now, before any await: tasks start in part
        // order, and whatever else resumes first, reads (and hashing) follow that order.
        const previous = readTurn;
        let myTurnDone!: () => void;
        readTurn = new Promise<void>((resolve) => (myTurnDone = resolve));
        let release: (() => void) | null = null;
        try {
          release = await settings.memory.acquire(length);
          const buf = Buffer.allocUnsafeSlow(length); // filled by the reads below, or the part fails
          try {
            await previous;
            let got = 0;
            while (got < length) {
              const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
              if (bytesRead === 0) throw new FileChangedError(args.rel);
              got += bytesRead;
            }
            if (i !== nextToHash++) throw new SyncError(`Internal error: part ${i + 1} of ${args.rel} was read out of order; nothing was completed.`);
            whole.update(buf);
          } catch (err) {
            nextToHash = Number.NaN; // every later part fails too: the whole MD5 is void
            throw err;
          } finally {
            myTurnDone();
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
          myTurnDone(); // (already done unless something failed before the read)
          release?.();
        }
      },
    );
    const md5 = whole.digest().md5;
    const composite = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts}`;
    const after = identityOf(await handle.stat());
    // The file must not have moved while it was read, and the metadata must tell the truth.
    if (!sameIdentity(before, after) || (statedMd5 && md5 !== statedMd5)) throw new FileChangedError(args.rel);
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
    const etag = cleanEtag(completed.ETag) || composite;
    await journal?.remove(args.bucket, args.key);
    return { etag, md5, identity: after, composite: { [partSize]: composite } };
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
  /** Whole-file MD5; empty when the object was verified by its composite ETag alone (see partSize). */
  md5: string;
  identity: FileIdentity;
  composite: Record<number, string>;
  /**
   * False when the object carries no checksum we can check (e.g. SSE-KMS without our metadata, or
   * a multipart ETag whose part size cannot be found): then it was downloaded a second time and
   * both copies had the same MD5 — `unverifiedWhy` says why no checksum from S3 could be used.
   */
  verified: boolean;
  unverifiedWhy?: string;
  /** The part size whose composite ETag verified a multipart object. */
  partSize?: number;
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
    /** Always compute the whole-file MD5 (two-way syncs keep it in their base). */
    wholeMd5?: boolean;
  },
): Promise<DownloadResult> {
  const problem = await ensureParentInside(args.root, args.abs);
  if (problem) throw new SyncError(`${args.rel} was not downloaded: ${problem}, and s3lync never writes through links or over files.`);
  const tmp = tempNameFor(args.abs);
  let received = 0;
  const releaseBallast = args.expect.size >= BALLAST_MIN_BYTES ? holdGcBallast() : null;
  try {
    const r = await getAsPlanned(client, args);
    const metadata = lowerKeys(r.Metadata ?? {});
    const encryption = r.SSECustomerAlgorithm ? 'SSE-C' : r.ServerSideEncryption;
    // Composite ETags are computed only when nothing better can verify the object.
    const parts = multipartCount(args.expect.etag);
    const stated = statedMd5Of(metadata);
    const declared = parts ? declaredPartSize(metadata, args.expect.size, parts) : undefined;
    const partSizes = parts && !stated ? [...(declared ? [declared] : []), ...candidatePartSizes(args.expect.size, parts)] : [];
    // When a composite ETag is what verifies the object, one MD5 pass (the parts') is enough:
    // the whole-file MD5 would only be remembered, and costs as much CPU again on large files.
    const compositeOnly = partSizes.length > 0 && !encryptedEtag(encryption) && !args.wholeMd5;
    const body = r.Body as Readable;
    const fh = await fs.open(tmp, 'wx', 0o644).catch((err) => {
      body.destroy(); // never leave the response (and its socket) hanging
      throw err;
    });
    const hasher = new StreamingHasher(partSizes, !compositeOnly);
    let got: FileHashes;
    let verified: Verification;
    try {
      // Counted as reported, so a failure takes back exactly what the progress already showed.
      const onBytes = (n: number) => {
        received += n;
        args.onBytes(n);
      };
      await writeAndHash(body, fh, hasher, { ...args, onBytes });
      got = hasher.digest();
      if (r.ContentLength !== undefined && got.size !== r.ContentLength) {
        throw Object.assign(new Error(`body of ${args.rel} ended after ${got.size} of ${r.ContentLength} bytes`), { code: 'ECONNRESET' });
      }
      verified = await verifyDownload(args, got, metadata, encryption, tmp);
      if (verified.composite) got = { ...got, composite: { ...got.composite, ...verified.composite } };
      if (!verified.ok) {
        // No checksum from S3 can vouch for these bytes: a second, independent read of the object
        // must give the same MD5, or the copy is discarded (a damaged transfer never agrees).
        if (!got.md5) got = { ...got, md5: (await hashFile(tmp)).md5 };
        const again = await md5OfObject(client, args);
        if (again !== got.md5) throw new HashMismatchError(`s3://${args.bucket}/${args.key} (read twice)`, again, got.md5);
      }
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
    return { md5: got.md5, identity, composite: got.composite, verified: verified.ok, unverifiedWhy: verified.why, partSize: verified.partSize };
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    args.onBytes(-received);
    throw err;
  } finally {
    releaseBallast?.();
  }
}

/** Bytes gathered per write: fewer, larger writes. */
const WRITE_BATCH = 1024 * 1024;
/** Batches being written at once while the next ones arrive. */
const BATCHES_IN_FLIGHT = 4;
/** Large downloads are flushed to disk as they go, so the final fsync has little left to do. */
const FLUSH_EVERY = 64 * 1024 * 1024;

/**
 * Writes the body into `fh` and hashes exactly the bytes written: gathered into 1 MiB batches,
 * each hashed (in file order, as it is complete) and then written at its offset while the next
 * ones arrive. A batch's memory is reused only once its write has finished.
 */
export async function writeAndHash(
  body: Readable,
  fh: fs.FileHandle,
  hasher: StreamingHasher,
  args: { onBytes: (n: number) => void; signal?: AbortSignal; expect: { size: number } },
): Promise<number> {
  const batchSize = Math.max(1, Math.min(WRITE_BATCH, args.expect.size));
  const inFlight: Promise<void>[] = [];
  const spare: Buffer[] = [];
  let position = 0;
  let flushed = 0;
  let flushing: Promise<void> | null = null;
  let batch: Buffer | null = null;
  let fill = 0;
  const put = async (buf: Buffer, length: number): Promise<void> => {
    hasher.update(buf.subarray(0, length)); // the bytes written next, in file order
    const at = position;
    position += length;
    const done = (async () => {
      let off = 0;
      while (off < length) off += (await fh.write(buf, off, length - off, at + off)).bytesWritten;
      if (length === buf.length) spare.push(buf);
      args.onBytes(length);
    })();
    done.catch(() => undefined); // awaited later; never an unhandled rejection meanwhile
    inFlight.push(done);
    while (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
    if (position - flushed >= FLUSH_EVERY && !flushing) {
      const upTo = position;
      flushing = Promise.all(inFlight)
        .then(() => fh.datasync())
        .then(() => {
          flushed = upTo;
          flushing = null;
        });
      flushing.catch(() => undefined); // reported by the final awaits below
    }
  };
  try {
    for await (const chunk of body) {
      if (args.signal?.aborted) throw Object.assign(new Error('The sync was cancelled.'), { name: 'AbortError' });
      const data = chunk as Buffer;
      let off = 0;
      while (off < data.length) {
        batch ??= spare.pop() ?? Buffer.allocUnsafeSlow(batchSize);
        const take = Math.min(batchSize - fill, data.length - off);
        data.copy(batch, fill, off, off + take);
        fill += take;
        off += take;
        if (fill === batchSize) {
          const full = batch;
          batch = null;
          fill = 0;
          await put(full, batchSize);
        }
      }
    }
    if (batch && fill > 0) await put(batch, fill);
  } finally {
    // Never leave writes running against a handle that is about to close.
    await Promise.allSettled([...inFlight, flushing]);
  }
  await Promise.all(inFlight);
  await flushing;
  return position;
}

/** SSE-KMS (aws:kms, aws:kms:dsse) and SSE-C objects: their ETag is not an MD5 of the content. */
export function encryptedEtag(encryption: string | undefined): boolean {
  return !!encryption && (encryption.includes('kms') || encryption === 'SSE-C');
}

/** GET of the object exactly as the plan saw it (If-Match its ETag). */
async function getAsPlanned(
  client: S3Client,
  args: { bucket: string; key: string; rel: string; expect: { etag: string }; signal?: AbortSignal },
): Promise<GetObjectCommandOutput> {
  try {
    return await client.send(
      new GetObjectCommand({ Bucket: args.bucket, Key: args.key, IfMatch: args.expect.etag ? `"${args.expect.etag}"` : undefined }),
      { abortSignal: args.signal },
    );
  } catch (err) {
    if (httpStatus(err) === 412) {
      throw new ChangedDuringSyncError(`${args.rel} changed on S3 while the sync ran, so it was not downloaded; run the sync again.`);
    }
    throw err;
  }
}

/** The MD5 of the object's bytes, read again and hashed, not stored. */
async function md5OfObject(
  client: S3Client,
  args: { bucket: string; key: string; rel: string; expect: { etag: string; size: number }; signal?: AbortSignal },
): Promise<string> {
  const r = await getAsPlanned(client, args);
  const body = r.Body as Readable;
  try {
    const hasher = new StreamingHasher();
    for await (const chunk of body) {
      if (args.signal?.aborted) throw Object.assign(new Error('The sync was cancelled.'), { name: 'AbortError' });
      hasher.update(chunk as Buffer);
    }
    if (hasher.size !== args.expect.size) {
      throw Object.assign(new Error(`body of ${args.rel} ended after ${hasher.size} of ${args.expect.size} bytes`), { code: 'ECONNRESET' });
    }
    return hasher.digest().md5;
  } finally {
    body.destroy();
  }
}

interface Verification {
  ok: boolean;
  /** Why no checksum from S3 could be used (when not ok). */
  why?: string;
  /** The part size whose composite ETag matched. */
  partSize?: number;
  /** Composites computed during verification (by a second look at the file). */
  composite?: Record<number, string>;
}

/** Checks the downloaded bytes against every checksum the object offers; throws on a mismatch. */
async function verifyDownload(
  args: { bucket: string; key: string; rel: string; expect: { size: number; etag: string }; exactPartSize: () => Promise<number | undefined> },
  got: FileHashes,
  metadata: Record<string, string>,
  encryption: string | undefined,
  tmp: string,
): Promise<Verification> {
  const label = `s3://${args.bucket}/${args.key}`;
  const stated = statedMd5Of(metadata);
  const etagIsMd5 = isPlainMd5(args.expect.etag) && !encryptedEtag(encryption);
  if (stated) {
    if (got.md5 !== stated) throw new HashMismatchError(label, stated, got.md5);
    if (etagIsMd5 && got.md5 !== args.expect.etag) throw new HashMismatchError(label, args.expect.etag, got.md5);
    return { ok: true };
  }
  if (etagIsMd5) {
    if (got.md5 !== args.expect.etag) throw new HashMismatchError(label, args.expect.etag, got.md5);
    return { ok: true };
  }
  const parts = multipartCount(args.expect.etag);
  if (parts && !encryptedEtag(encryption)) {
    const match = Object.entries(got.composite).find(([, c]) => c === args.expect.etag);
    if (match) return { ok: true, partSize: Number(match[0]) };
    const declared = declaredPartSize(metadata, args.expect.size, parts);
    if (declared) throw new HashMismatchError(label, args.expect.etag, got.composite[declared] ?? got.md5);
    const exact = await args.exactPartSize();
    if (!exact) return { ok: false, why: 'the part size of its multipart ETag cannot be found' };
    if (got.composite[exact] === undefined) {
      const again = await hashFile(tmp, [exact], false);
      if (again.composite[exact] === args.expect.etag) return { ok: true, partSize: exact, composite: again.composite };
    }
    throw new HashMismatchError(label, args.expect.etag, Object.values(got.composite)[0] ?? got.md5);
  }
  return { ok: false, why: encryptedEtag(encryption) ? `the ETag of an ${encryption}-encrypted object is not its MD5, and it has no MD5 metadata` : `its ETag "${args.expect.etag}" is not an MD5, and it has no MD5 metadata` };
}
