// The executor runs a plan exactly: transfers first (in parallel, each verified, retried on
// transient faults), deletions last, and no deletion at all when a listing or a transfer failed,
// the run was cancelled, or the deletion guard tripped. Local deletions go to the trash after a
// last check that the file is still what the plan saw.
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import type { Operation, Plan } from '../../shared/plan';
import { isDeletion } from '../../shared/plan';
import type { Completed, OperationFailure, SyncEvent, SyncResult } from '../../shared/progress';
import { partSizeFromHead } from './compare';
import { runPool, sleep, type Semaphore } from './concurrency';
import { ChangedDuringSyncError, describeError, errorName, httpStatus, isRetryable } from './errors';
import type { FileIdentity, HashCache } from './hash-cache';
import { cleanEtag, multipartCount } from './md5';
import { ensureParentInside, resolveInside } from './paths';
import type { PlanContext } from './planner';
import type { LocalFile } from './local-scan';
import { ProgressTracker } from './progress';
import type { RemoteKnowledge } from './remote-cache';
import { deleteKeys, headObject } from './s3';
import { downloadFile, uploadFile, type TransferSettings, type UploadResult } from './transfer';
import type { Trash } from './trash';

/** The original error behind each failure, for library callers that rethrow it as itself. */
export const failureCause = new WeakMap<OperationFailure, unknown>();

const COMPLETED_KEY: Record<Operation['kind'], keyof Completed> = {
  upload: 'upload',
  download: 'download',
  'delete-remote': 'deleteRemote',
  'delete-local': 'deleteLocal',
  'move-remote': 'moveRemote',
  'move-local': 'moveLocal',
  conflict: 'conflicts',
};

export function emptyCompleted(): Completed {
  return { upload: 0, download: 0, deleteRemote: 0, deleteLocal: 0, moveRemote: 0, moveLocal: 0, conflicts: 0 };
}

export interface ExecuteDeps {
  client: S3Client;
  settings: TransferSettings;
  cache: HashCache;
  knowledge: RemoteKnowledge;
  trash: Trash | null;
  concurrency: number;
  /** Attempts per file for transient faults (network, 5xx, corrupted bytes). */
  fileAttempts?: number;
  onEvent?: (e: SyncEvent) => void;
  signal?: AbortSignal;
  endpoint?: string;
  /** Two-way: HEAD an object right before overwriting or deleting it; a change postpones it. */
  recheckRemote?: boolean;
  /** Transfers in flight across all syncs sharing this semaphore. */
  transferSlots?: Semaphore;
  /** Called for each operation carried out, with what is now true of the path (for the base). */
  onApplied?: (op: Operation, applied: Applied) => void;
}

/** What an operation left behind: the local file's identity and MD5, and the object's ETag. */
export interface Applied {
  local?: FileIdentity & { md5: string };
  etag?: string;
  /** conflict: the kept copy's state. */
  copy?: { local: FileIdentity & { md5: string }; etag: string };
}

export async function executePlan(plan: Plan, ctx: PlanContext, deps: ExecuteDeps): Promise<SyncResult> {
  const started = Date.now();
  const emit = deps.onEvent ?? (() => undefined);
  const transfers = plan.operations.filter((op) => !isDeletion(op.kind));
  const deletions = plan.operations.filter((op) => isDeletion(op.kind));
  const tracker = new ProgressTracker(plan.operations.length, transfers.reduce((n, op) => n + op.size, 0), (progress) =>
    emit({ type: 'progress', progress }),
  );
  const failed: OperationFailure[] = [];
  let done = 0;
  let bytes = 0;
  const completed = emptyCompleted();
  const succeed = (op: Operation) => {
    done++;
    completed[COMPLETED_KEY[op.kind]]++;
    emit({ type: 'operation-done', operation: op });
  };
  const fail = (operation: Operation, err: unknown) => {
    const failure: OperationFailure = {
      operation,
      error: errorName(err),
      message: describeError(err, { action: `${verb(operation)} ${operation.path}`, endpoint: deps.endpoint, bucket: ctx.target.bucket }),
    };
    failureCause.set(failure, err);
    failed.push(failure);
    emit({ type: 'operation-failed', failure });
  };

  const applied = (op: Operation, a: Applied) => deps.onApplied?.(op, a);
  await runPool(transfers, deps.concurrency, async (op) => {
    if (deps.signal?.aborted) return;
    // A slot of the transfer limit shared by every pair (the app syncs several pairs at once).
    const releaseSlot = deps.transferSlots ? await deps.transferSlots.acquire() : () => undefined;
    tracker.start(op.path);
    try {
      await withRetries(deps.fileAttempts ?? 3, deps.signal, async () => {
        if (op.kind === 'upload') applied(op, await runUpload(op, ctx, deps, tracker));
        else if (op.kind === 'download') applied(op, await runDownload(op, ctx, deps, tracker, emit));
        else if (op.kind === 'conflict') applied(op, await runConflict(op, ctx, deps, tracker, emit));
        else if (op.kind === 'move-local') applied(op, await runMoveLocal(op, ctx, deps));
        else if (op.kind === 'move-remote') applied(op, await runMoveRemote(op, ctx, deps));
      });
      bytes += op.size;
      succeed(op);
    } catch (err) {
      if (!deps.signal?.aborted) fail(op, err);
    } finally {
      releaseSlot();
      tracker.finish(op.path);
    }
  });

  const cancelled = deps.signal?.aborted ?? false;
  let heldReason: string | null = null;
  if (deletions.length) {
    if (cancelled) heldReason = 'The sync was cancelled before its deletions; nothing was deleted.';
    else if (!plan.listingComplete) heldReason = plan.guard?.message ?? 'A listing was incomplete, so nothing was deleted.';
    else if (failed.length) heldReason = `No deletions: ${failed.length} transfer${failed.length === 1 ? '' : 's'} failed, so nothing was deleted in this run. Fix the errors and run again.`;
    else if (plan.guard?.tripped) heldReason = plan.guard.message;
  }
  // The old keys of renames done on S3 go with the deletions, under the same rule.
  const movedFrom = transfers.filter((op) => op.kind === 'move-remote' && !failed.some((f) => f.operation === op));
  if (movedFrom.length && heldReason === null && (failed.length || cancelled || !plan.listingComplete)) {
    heldReason = 'The old names of renamed files were kept on S3 because something failed; the next sync removes them.';
  }
  if ((deletions.length || movedFrom.length) && heldReason === null) {
    const remote = deletions.filter((op) => op.kind === 'delete-remote');
    const local = deletions.filter((op) => op.kind === 'delete-local');
    const oldKeys = movedFrom.map((op) => ctx.target.prefix + op.from!);
    if (remote.length || oldKeys.length) {
      const byKey = new Map(remote.map((op) => [op.key, op]));
      try {
        let keys = [...byKey.keys()];
        if (deps.recheckRemote) keys = await stillAsPlanned(keys, ctx, deps, (key, err) => fail(byKey.get(key)!, err));
        // The old name of a rename goes only if it still holds what was copied.
        const oldOk = await stillAsPlanned(oldKeys, ctx, deps, (key) =>
          emit({ type: 'warning', message: `${key} changed on S3 after it was renamed here, so it was kept; the next sync looks at it again.` }),
        );
        const failures = await deleteKeys(deps.client, ctx.target.bucket, [...keys, ...oldOk], (key) => {
          deps.knowledge.forget(key);
          const op = byKey.get(key);
          if (!op) {
            applied({ kind: 'delete-remote', path: key.slice(ctx.target.prefix.length), key, size: 0, reason: 'renamed' }, {});
            return;
          }
          applied(op, {});
          tracker.finish(op.path);
          succeed(op);
        });
        for (const f of failures) {
          const op = byKey.get(f.key);
          if (op) fail(op, new Error(f.message));
          else emit({ type: 'warning', message: `The old name ${f.key} could not be removed after a rename (${f.message}); the next sync retries.` });
        }
      } catch (err) {
        for (const op of remote) fail(op, err);
      }
    }
    for (const op of local) {
      try {
        await deleteLocal(op, ctx, deps);
        applied(op, {});
        tracker.finish(op.path);
        succeed(op);
      } catch (err) {
        fail(op, err);
      }
    }
  }
  tracker.flush();
  const held = heldReason ? deletions.length + (movedFrom.length && heldReason ? movedFrom.length : 0) : 0;
  if (heldReason) emit({ type: 'warning', message: heldReason });
  const result: SyncResult = {
    plan,
    done,
    completed,
    failed,
    deletionsHeld: held,
    heldReason,
    bytes,
    seconds: (Date.now() - started) / 1000,
    cancelled,
    // Something that could not be read was not synced: the run did not do all it should.
    ok: failed.length === 0 && held === 0 && !cancelled && plan.listingComplete,
  };
  emit({ type: 'result', result });
  return result;
}

function verb(op: Operation): string {
  switch (op.kind) {
    case 'upload':
      return 'uploading';
    case 'download':
      return 'downloading';
    case 'delete-remote':
      return 'deleting s3 object';
    case 'delete-local':
      return 'moving to the trash';
    case 'move-remote':
      return 'renaming on S3';
    case 'move-local':
      return 'renaming';
    case 'conflict':
      return 'keeping both versions of';
  }
}

async function withRetries(attempts: number, signal: AbortSignal | undefined, fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err) || signal?.aborted) throw err;
      await sleep(Math.min(8000, 300 * 2 ** attempt) * (0.5 + Math.random()), signal);
    }
  }
}

async function runUpload(op: Operation, ctx: PlanContext, deps: ExecuteDeps, tracker: ProgressTracker): Promise<Applied> {
  const file = ctx.local.get(op.path)!;
  const planned = ctx.remote.get(op.path)?.etag ?? null;
  const recheck = deps.recheckRemote ? () => ensureRemoteAsPlanned(op.key, planned, op.path, ctx, deps) : undefined;
  await recheck?.();
  const r = await uploadFile(deps.client, deps.settings, {
    beforeCommit: recheck,
    bucket: ctx.target.bucket,
    key: op.key,
    abs: file.abs,
    rel: op.path,
    knownMd5: deps.cache.peek(op.path, file),
    onBytes: (n) => tracker.bytes(n),
    signal: deps.signal,
  });
  return uploaded(deps, op.path, op.key, r);
}

/** What an upload taught us: the file's hashes, the object's MD5, and the new base entry. */
function uploaded(deps: ExecuteDeps, rel: string, key: string, r: UploadResult): Required<Pick<Applied, 'local' | 'etag'>> {
  deps.cache.remember(rel, r.identity, r.md5, r.composite);
  deps.knowledge.learn(key, r.etag, r.md5);
  return { local: { ...r.identity, md5: r.md5 }, etag: r.etag };
}

async function runDownload(
  op: Operation,
  ctx: PlanContext,
  deps: ExecuteDeps,
  tracker: ProgressTracker,
  emit: (e: SyncEvent) => void,
): Promise<Applied> {
  const obj = ctx.remote.get(op.path)!;
  const before = ctx.local.get(op.path);
  const abs = resolveInside(ctx.target.localRoot, op.path);
  const r = await downloadFile(deps.client, {
    bucket: ctx.target.bucket,
    key: op.key,
    root: ctx.target.localRoot,
    abs,
    rel: op.path,
    expect: { size: obj.size, etag: obj.etag, lastModified: obj.lastModified },
    localBefore: before ? { size: before.size, mtimeMs: before.mtimeMs, ino: before.ino } : null,
    trash: deps.trash,
    onBytes: (n) => tracker.bytes(n),
    signal: deps.signal,
    exactPartSize: async () =>
      partSizeFromHead(await headObject(deps.client, ctx.target.bucket, op.key, 1).catch(() => null), obj.size, multipartCount(obj.etag) ?? 0),
    // A two-way sync's base keeps each file's MD5 (to tell a touched file from an edited one).
    wholeMd5: ctx.target.direction === 'sync',
    rangedThreshold: deps.settings.rangedDownloadThreshold,
  });
  if (!r.verified) {
    emit({ type: 'warning', message: `${op.path} has no checksum S3 can vouch for (${r.unverifiedWhy ?? 'none was offered'}), so it was downloaded twice: both copies were identical.` });
  }
  deps.cache.remember(op.path, r.identity, r.md5, r.composite);
  deps.knowledge.learn(op.key, obj.etag, r.md5, r.partSize);
  // The plan's view of the local file is now this one (a later mirror check compares with it).
  ctx.local.set(op.path, { rel: op.path, abs, ...r.identity });
  return { local: { ...r.identity, md5: r.md5 }, etag: obj.etag };
}

/** Keep both: the local version is copied to the conflict name and uploaded, then the remote version takes the original name. */
async function runConflict(
  op: Operation,
  ctx: PlanContext,
  deps: ExecuteDeps,
  tracker: ProgressTracker,
  emit: (e: SyncEvent) => void,
): Promise<Applied> {
  const file = ctx.local.get(op.path)!;
  const copyRel = op.conflictPath!;
  const copyAbs = resolveInside(ctx.target.localRoot, copyRel);
  let copy: Applied['copy'];
  const existing = ctx.local.get(copyRel);
  if (!existing) {
    await assertUnchanged(file, `${op.path} changed locally while the sync ran; the conflict will be handled in the next run.`);
    await fs.copyFile(file.abs, copyAbs, fs.constants.COPYFILE_EXCL).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Something else holds that name (maybe an excluded file): never mistake it for our copy.
      throw new ChangedDuringSyncError(`${copyRel} already exists, so the conflict on ${op.path} waits for the next run (with a new name).`);
    });
    const copyStat = await fs.stat(copyAbs);
    const copyFile = { rel: copyRel, abs: copyAbs, size: copyStat.size, mtimeMs: copyStat.mtimeMs, ino: copyStat.ino };
    ctx.local.set(copyRel, copyFile);
    const up = await uploadFile(deps.client, deps.settings, {
      bucket: ctx.target.bucket,
      key: ctx.target.prefix + copyRel,
      abs: copyAbs,
      rel: copyRel,
      onBytes: (n) => tracker.bytes(n),
      signal: deps.signal,
    });
    copy = uploaded(deps, copyRel, ctx.target.prefix + copyRel, up);
  }
  const down = await runDownload({ ...op, kind: 'download' }, ctx, deps, tracker, emit);
  return { ...down, copy };
}

async function runMoveLocal(op: Operation, ctx: PlanContext, deps: ExecuteDeps): Promise<Applied> {
  const from = ctx.local.get(op.from!)!;
  await assertUnchanged(from, `${op.from} changed locally while the sync ran, so it was not renamed; run the sync again.`);
  const abs = resolveInside(ctx.target.localRoot, op.path);
  const problem = await ensureParentInside(ctx.target.localRoot, abs);
  if (problem) throw new ChangedDuringSyncError(`${op.path} was not created: ${problem}.`);
  if (await fs.lstat(abs).then(() => true, () => false)) {
    throw new ChangedDuringSyncError(`${op.path} appeared locally while the sync ran, so ${op.from} was not renamed onto it.`);
  }
  const now = await fs.stat(from.abs); // rename keeps inode and mtime; read before anyone can touch the new name
  // The file's MD5 if it was hashed as it is (the rename keeps its content); '' when unknown.
  const identity = { size: now.size, mtimeMs: now.mtimeMs, ino: now.ino };
  const md5 = deps.cache.peek(op.from!, identity) ?? '';
  await fs.rename(from.abs, abs);
  const obj = ctx.remote.get(op.path)!;
  ctx.local.delete(op.from!);
  ctx.local.set(op.path, { rel: op.path, abs, ...identity });
  if (md5) deps.cache.remember(op.path, identity, md5);
  return { local: { ...identity, md5 }, etag: obj.etag };
}

async function runMoveRemote(op: Operation, ctx: PlanContext, deps: ExecuteDeps): Promise<Applied> {
  const fromKey = ctx.target.prefix + op.from!;
  const before = ctx.remote.get(op.from!)!;
  const file = ctx.local.get(op.path)!;
  const hashes = await deps.cache.get(op.path, file.abs, file);
  if (before.size > 5 * 1024 ** 3) {
    // CopyObject handles up to 5 GiB; beyond that the new name is uploaded and the old one removed.
    const up = await uploadFile(deps.client, deps.settings, { bucket: ctx.target.bucket, key: op.key, abs: file.abs, rel: op.path, onBytes: () => undefined, signal: deps.signal });
    return { local: { ...up.identity, md5: up.md5 }, etag: up.etag };
  }
  await ensureRemoteAsPlanned(op.key, null, op.path, ctx, deps); // nothing may have appeared at the new name
  try {
    const r = await deps.client.send(
      new CopyObjectCommand({
        Bucket: ctx.target.bucket,
        Key: op.key,
        CopySource: `${ctx.target.bucket}/${encodeURIComponent(fromKey)}`,
        CopySourceIfMatch: `"${before.etag}"`,
        MetadataDirective: 'COPY',
      }),
      { abortSignal: deps.signal },
    );
    const etag = cleanEtag(r.CopyObjectResult?.ETag);
    deps.knowledge.learn(op.key, etag, hashes.md5);
    return { local: { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, md5: hashes.md5 }, etag };
  } catch (err) {
    if (httpStatus(err) === 412) throw new ChangedDuringSyncError(`${op.from} changed on S3 while the sync ran, so the rename to ${op.path} was postponed.`);
    throw err;
  }
}

/** Throws (postponing the operation) when the object is no longer what the plan saw. */
async function ensureRemoteAsPlanned(key: string, etag: string | null, rel: string, ctx: PlanContext, deps: ExecuteDeps): Promise<void> {
  const h = await headObject(deps.client, ctx.target.bucket, key);
  if ((h?.etag ?? null) !== etag) {
    throw new ChangedDuringSyncError(`${rel} changed on S3 while the sync ran, so it was not overwritten; the next run handles it.`);
  }
}

async function stillAsPlanned(keys: string[], ctx: PlanContext, deps: ExecuteDeps, postpone: (key: string, err: unknown) => void): Promise<string[]> {
  const ok: string[] = [];
  await runPool(keys, 16, async (key) => {
    const rel = key.slice(ctx.target.prefix.length);
    try {
      await ensureRemoteAsPlanned(key, ctx.remote.get(rel)?.etag ?? null, rel, ctx, deps);
      ok.push(key);
    } catch (err) {
      postpone(key, err);
    }
  });
  return ok;
}

/** Rescan before touching: the file must still be the one the plan saw, or the operation waits. */
async function assertUnchanged(file: LocalFile, message: string): Promise<void> {
  const st = await fs.lstat(file.abs);
  if (!st.isFile() || st.size !== file.size || st.mtimeMs !== file.mtimeMs || st.ino !== file.ino) {
    throw new ChangedDuringSyncError(message);
  }
}

async function deleteLocal(op: Operation, ctx: PlanContext, deps: ExecuteDeps): Promise<void> {
  const file = ctx.local.get(op.path)!;
  await assertUnchanged(file, `${op.path} changed locally while the sync ran, so it was not deleted; run the sync again.`);
  if (!deps.trash) throw new ChangedDuringSyncError(`${op.path} was not deleted: no trash folder is configured.`);
  await deps.trash.move(file.abs, op.path);
  deps.cache.forget(op.path);
}
