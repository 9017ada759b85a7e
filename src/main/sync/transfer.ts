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
import { writeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ChangedDuringSyncError, FileChangedError, HashMismatchError, SyncError, httpStatus } from './errors';
import type { FileIdentity } from './hash-cache';
import {
  base64ToHex,
  candidatePartSizes,
  cleanEtag,
  CompositeHasher,
  compositeEtag,
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
import { directGet, directPut } from './direct';
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
  /** Multipart objects at least this big are downloaded in several ranges at once. */
  rangedDownloadThreshold: number;
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
    const input = { Bucket: args.bucket, Key: args.key, Body: body, ContentMD5: hexToBase64(md5), Metadata: md5Metadata(md5) };
    const direct = await directPut(client, input, args.signal);
    // A direct attempt that went out and failed took time: look again before the SDK writes.
    if (!direct.ok && direct.sent) await args.beforeCommit?.();
    const r = direct.ok ? direct.value : await client.send(new PutObjectCommand({ ...input, ContentLength: body.length }), { abortSignal: args.signal });
    const etag = cleanEtag(r.ETag);
    if (!etag) throw new SyncError(`S3 accepted ${args.rel} without saying what it stored (no ETag), so the upload cannot be verified; run the sync again, and check the server if this repeats.`);
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
    /** Multipart objects at least this big are fetched in several ranges at once. */
    rangedThreshold?: number;
  },
): Promise<DownloadResult> {
  const problem = await ensureParentInside(args.root, args.abs);
  if (problem) throw new SyncError(`${args.rel} was not downloaded: ${problem}, and s3lync never writes through links or over files.`);
  const tmp = tempNameFor(args.abs);
  let received = 0;
  const releaseBallast = args.expect.size >= BALLAST_MIN_BYTES ? holdGcBallast() : null;
  try {
    // A large multipart object is fetched in part-aligned ranges at once; the first range's
    // headers tell whether its parts alone can verify it (else the rest follows in order).
    const plan = rangePlan(args.expect.size, args.expect.etag, args.rangedThreshold);
    const first = await getAsPlanned(client, args, plan?.ranges[0]);
    const bodies: Readable[] = [first.Body as Readable];
    const metadata = lowerKeys(first.Metadata ?? {});
    const encryption = first.SSECustomerAlgorithm ? 'SSE-C' : first.ServerSideEncryption;
    // Composite ETags are computed only when nothing better can verify the object.
    const parts = multipartCount(args.expect.etag);
    const stated = statedMd5Of(metadata);
    const declared = parts ? declaredPartSize(metadata, args.expect.size, parts) : undefined;
    const partSizes = parts && !stated ? [...new Set([...(declared ? [declared] : []), ...candidatePartSizes(args.expect.size, parts)])] : [];
    // When a composite ETag is what verifies the object, one MD5 pass (the parts') is enough:
    // the whole-file MD5 would only be remembered, and costs as much CPU again on large files.
    const compositeOnly = partSizes.length > 0 && !encryptedEtag(encryption) && !args.wholeMd5;
    let ranged: Range | null = null;
    let fh: fs.FileHandle;
    try {
      ranged = plan ? rangeOf(first, plan.ranges[0], args) : null;
      fh = await fs.open(tmp, 'wx', 0o644);
    } catch (err) {
      bodies[0].destroy(); // never leave the response (and its socket) hanging
      throw err;
    }
    let got: FileHashes;
    let verified: Verification;
    try {
      // Counted as reported, so a failure takes back exactly what the progress already showed.
      const onBytes = (n: number) => {
        received += n;
        args.onBytes(n);
      };
      const flusher = new PeriodicFlush(fh);
      const pace: DiskPace = { slow: false };
      let flushFailure: unknown = null;
      try {
        if (plan && ranged && compositeOnly && (declared === undefined || declared === plan.partSize)) {
          got = await fetchRanges(client, args, plan, bodies[0], fh, { flusher, pace }, onBytes);
        } else {
          const hasher = new StreamingHasher(partSizes, !compositeOnly);
          let at = await writeAndHash(bodies[0], fh, hasher, { onBytes, signal: args.signal, position: 0, flusher, pace });
          if (plan && ranged && at < args.expect.size) {
            // Needs the whole-file MD5 (or cannot tell its part size): the rest, in order.
            const rest = await getAsPlanned(client, args, [at, args.expect.size - 1]);
            bodies.push(rest.Body as Readable);
            requireRange(rest, [at, args.expect.size - 1], args);
            at = await writeAndHash(bodies[1], fh, hasher, { onBytes, signal: args.signal, position: at, flusher, pace });
          }
          got = hasher.digest();
        }
      } finally {
        // Never close the handle under a running flush; its failure counts only on success.
        flushFailure = await flusher.settle().then(() => null, (e: unknown) => e ?? new Error(`${args.rel} could not be flushed to disk`));
      }
      if (flushFailure) throw flushFailure;
      const total = ranged ? args.expect.size : first.ContentLength;
      if (total !== undefined && got.size !== total) {
        throw Object.assign(new Error(`body of ${args.rel} ended after ${got.size} of ${total} bytes`), { code: 'ECONNRESET' });
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
      for (const b of bodies) b.destroy();
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

/** Large downloads are flushed to disk as they go, so the final fsync has little left to do. */
const FLUSH_EVERY = 64 * 1024 * 1024;
/** Multipart objects this large are fetched in several ranges at once... */
export const RANGED_MIN_BYTES = 64 * 1024 * 1024;
/** ...this many (one stream leaves the server's pipeline half idle; more gained nothing here). */
export const RANGES = 4;

/**
 * Background fdatasyncs while a file is being written (never two at once); writes go on
 * meanwhile. `settle` waits for the last one and reports a failure.
 */
export class PeriodicFlush {
  private written = 0;
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  constructor(private readonly fh: fs.FileHandle) {}
  wrote(n: number): void {
    this.written += n;
    if (this.written < FLUSH_EVERY || this.flushing) return;
    this.written = 0;
    this.flushing = this.fh.datasync().then(
      () => void (this.flushing = null),
      (err: unknown) => {
        this.failure ??= err;
        this.flushing = null;
      },
    );
  }
  async settle(): Promise<void> {
    await this.flushing;
    if (this.failure) throw this.failure;
  }
}

/**
 * A write slower than this (a slow USB stick, a network share, the kernel throttling writers)
 * moves the rest of that file's writes to the thread pool, so the event loop is never held long.
 */
const SLOW_WRITE_MS = 50;

/** How a file's writes are going; shared by the ranges of one download. */
export interface DiskPace {
  slow: boolean;
}

/**
 * Writes a body into `fh` from `position` on: each chunk hashed, then written at once by the
 * thread that received it, so the one copy into the page cache reads bytes still in the CPU's
 * cache. (1 MiB batches written from the thread pool, as before, cost 1.2 s more kernel CPU per
 * GiB in that copy alone, measured with perf.) Returns the end position.
 */
export async function writeAndHash(
  body: Readable,
  fh: fs.FileHandle,
  hasher: { update(chunk: Buffer): void },
  args: { onBytes: (n: number) => void; signal?: AbortSignal; position: number; flusher?: PeriodicFlush; pace?: DiskPace },
): Promise<number> {
  const pace = args.pace ?? { slow: false };
  let position = args.position;
  for await (const chunk of body) {
    if (args.signal?.aborted) throw cancelled();
    const data = chunk as Buffer;
    hasher.update(data); // exactly the bytes written next, in file order
    let off = 0;
    while (off < data.length) {
      if (pace.slow) {
        off += (await fh.write(data, off, data.length - off, position + off)).bytesWritten;
      } else {
        const started = performance.now();
        off += writeSync(fh.fd, data, off, data.length - off, position + off);
        if (performance.now() - started >= SLOW_WRITE_MS) pace.slow = true;
      }
    }
    position += data.length;
    args.onBytes(data.length);
    args.flusher?.wrote(data.length);
  }
  return position;
}

type Range = [first: number, last: number];

/**
 * Inclusive byte ranges, each a whole number of parts of the object's likeliest part size (whole
 * MiB, as tools upload; if that guess is wrong, verification hashes the file again for the others).
 */
export function rangePlan(size: number, etag: string, minBytes = RANGED_MIN_BYTES): { partSize: number; ranges: Range[] } | null {
  const parts = multipartCount(etag);
  if (!parts || parts < 2 || size < minBytes) return null;
  const partSize = candidatePartSizes(size, parts)[0];
  if (!partSize) return null;
  const per = Math.ceil(parts / Math.min(RANGES, parts));
  const ranges: Range[] = [];
  for (let p = 0; p < parts; p += per) ranges.push([p * partSize, Math.min(size, (p + per) * partSize) - 1]);
  return { partSize, ranges };
}

/**
 * Checks that a ranged GET answered with exactly that range of an object of the planned size.
 * Null when the server ignored the Range and sent the whole object (then that body is all).
 */
export function rangeOf(r: Pick<GetObjectCommandOutput, 'ContentRange' | 'ContentLength'>, range: Range, args: { rel: string; expect: { size: number } }): Range | null {
  const want = `bytes ${range[0]}-${range[1]}/${args.expect.size}`;
  if (r.ContentRange === undefined && r.ContentLength === args.expect.size) return null;
  if (r.ContentRange?.replace(/\s+/g, ' ').trim() !== want || r.ContentLength !== range[1] - range[0] + 1) {
    throw new SyncError(`${args.rel} was not downloaded: asked for ${want}, the server sent ${r.ContentRange ? `"${r.ContentRange}"` : `${r.ContentLength ?? 'an unknown number of'} bytes`}; run the sync again.`);
  }
  return range;
}

/** Like rangeOf, for a range that is not the first: the whole object instead is an error too. */
function requireRange(r: Pick<GetObjectCommandOutput, 'ContentRange' | 'ContentLength'>, range: Range, args: { rel: string; expect: { size: number } }): void {
  if (!rangeOf(r, range, args)) {
    throw new SyncError(`${args.rel} was not downloaded: the server sent the whole object for a request of bytes ${range[0]}-${range[1]}; run the sync again.`);
  }
}

/**
 * The whole of a ranged download, every range at once, each hashed part by part as it lands at
 * its offset; the first range's response is already open. Returns the composite ETag of the
 * whole and no whole-file MD5 (the caller verifies by the composite).
 */
async function fetchRanges(
  client: S3Client,
  args: { bucket: string; key: string; rel: string; expect: { size: number; etag: string }; signal?: AbortSignal },
  plan: { partSize: number; ranges: Range[] },
  firstBody: Readable,
  fh: fs.FileHandle,
  disk: { flusher: PeriodicFlush; pace: DiskPace },
  onBytes: (n: number) => void,
): Promise<FileHashes> {
  // One failure stops the other ranges; their aborts are not the error to report.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  args.signal?.addEventListener('abort', onAbort);
  const hashers = plan.ranges.map(() => new CompositeHasher(plan.partSize));
  let failure: unknown = null;
  // A range still reading when another fails is stopped at once, the first one's stream too.
  if (args.signal?.aborted) stop.abort();
  stop.signal.addEventListener('abort', () => firstBody.destroy(), { once: true });
  const one = async (i: number): Promise<void> => {
    const range = plan.ranges[i];
    let body: Readable | undefined = i === 0 ? firstBody : undefined;
    try {
      if (i > 0) {
        const r = await getAsPlanned(client, { ...args, signal: stop.signal }, range);
        body = r.Body as Readable;
        requireRange(r, range, args);
      }
      const end = await writeAndHash(body!, fh, hashers[i], { onBytes, signal: stop.signal, position: range[0], ...disk });
      if (end !== range[1] + 1) {
        throw Object.assign(new Error(`the server sent ${end - range[0]} bytes of ${args.rel} instead of ${range[1] - range[0] + 1} (bytes ${range[0]}-${range[1]})`), { code: 'ECONNRESET' });
      }
    } finally {
      body?.destroy();
    }
  };
  try {
    await Promise.allSettled(
      plan.ranges.map((_, i) =>
        one(i).catch((err: unknown) => {
          failure ??= err;
          stop.abort();
        }),
      ),
    );
    if (failure) throw args.signal?.aborted ? cancelled() : failure;
    return { md5: '', size: args.expect.size, composite: { [plan.partSize]: compositeEtag(hashers.flatMap((h) => h.parts())) } };
  } finally {
    args.signal?.removeEventListener('abort', onAbort);
  }
}

/** What a transfer throws when the sync's signal is aborted. */
function cancelled(): Error {
  return Object.assign(new Error('The sync was cancelled.'), { name: 'AbortError' });
}

/** SSE-KMS (aws:kms, aws:kms:dsse) and SSE-C objects: their ETag is not an MD5 of the content. */
export function encryptedEtag(encryption: string | undefined): boolean {
  return !!encryption && (encryption.includes('kms') || encryption === 'SSE-C');
}

/** What a GET answered, from a direct request or the SDK. */
type ObjectResponse = Pick<GetObjectCommandOutput, 'ContentLength' | 'ContentRange' | 'ETag' | 'Metadata' | 'SSECustomerAlgorithm'> & { ServerSideEncryption?: string; Body?: unknown };

/** GET of the object exactly as the plan saw it (If-Match its ETag); `range` inclusive. */
async function getAsPlanned(
  client: S3Client,
  args: { bucket: string; key: string; rel: string; expect: { etag: string }; signal?: AbortSignal },
  range?: [number, number],
): Promise<ObjectResponse> {
  const input = {
    Bucket: args.bucket,
    Key: args.key,
    IfMatch: args.expect.etag ? `"${args.expect.etag}"` : undefined,
    Range: range ? `bytes=${range[0]}-${range[1]}` : undefined,
  };
  try {
    const direct = await directGet(client, input, args.signal);
    return direct.ok ? direct.value : await client.send(new GetObjectCommand(input), { abortSignal: args.signal });
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
      if (args.signal?.aborted) throw cancelled();
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
    // A ranged download hashed for its likeliest part size only: the file again, for the others.
    const untried = candidatePartSizes(args.expect.size, parts).filter((p) => got.composite[p] === undefined);
    if (untried.length) {
      const again = await hashFile(tmp, untried, false);
      const found = Object.entries(again.composite).find(([, c]) => c === args.expect.etag);
      if (found) return { ok: true, partSize: Number(found[0]), composite: again.composite };
      got = { ...got, composite: { ...got.composite, ...again.composite } };
    }
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
