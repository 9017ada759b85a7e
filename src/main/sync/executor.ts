// The executor runs a plan exactly: transfers first (in parallel, each verified, retried on
// transient faults), deletions last, and no deletion at all when a listing or a transfer failed,
// the run was cancelled, or the deletion guard tripped. Local deletions go to the trash after a
// last check that the file is still what the plan saw.
import type { S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import type { Operation, Plan } from '../../shared/plan';
import { isDeletion } from '../../shared/plan';
import type { Completed, OperationFailure, SyncEvent, SyncResult } from '../../shared/progress';
import { partSizeFromHead } from './compare';
import { runPool, sleep } from './concurrency';
import { ChangedDuringSyncError, describeError, errorName, isRetryable } from './errors';
import type { HashCache } from './hash-cache';
import { multipartCount } from './md5';
import { resolveInside } from './paths';
import type { PlanContext } from './planner';
import { ProgressTracker } from './progress';
import type { RemoteKnowledge } from './remote-cache';
import { deleteKeys, headObject } from './s3';
import { downloadFile, uploadFile, type TransferSettings } from './transfer';
import type { Trash } from './trash';

/** The original error behind each failure, for library callers that rethrow it as itself. */
export const failureCause = new WeakMap<OperationFailure, unknown>();

const COMPLETED_KEY: Record<Operation['kind'], keyof Completed> = {
  upload: 'upload',
  download: 'download',
  'delete-remote': 'deleteRemote',
  'delete-local': 'deleteLocal',
};

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
  const completed: Completed = { upload: 0, download: 0, deleteRemote: 0, deleteLocal: 0 };
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

  await runPool(transfers, deps.concurrency, async (op) => {
    if (deps.signal?.aborted) return;
    tracker.start(op.path);
    try {
      await withRetries(deps.fileAttempts ?? 3, deps.signal, async () => {
        if (op.kind === 'upload') await runUpload(op, ctx, deps, tracker);
        else await runDownload(op, ctx, deps, tracker, emit);
      });
      bytes += op.size;
      succeed(op);
    } catch (err) {
      if (!deps.signal?.aborted) fail(op, err);
    } finally {
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
  if (deletions.length && heldReason === null) {
    const remote = deletions.filter((op) => op.kind === 'delete-remote');
    const local = deletions.filter((op) => op.kind === 'delete-local');
    if (remote.length) {
      const byKey = new Map(remote.map((op) => [op.key, op]));
      try {
        const failures = await deleteKeys(deps.client, ctx.target.bucket, [...byKey.keys()], (key) => {
          const op = byKey.get(key)!;
          deps.knowledge.forget(key);
          tracker.finish(op.path);
          succeed(op);
        });
        for (const f of failures) fail(byKey.get(f.key)!, new Error(f.message));
      } catch (err) {
        for (const op of remote) fail(op, err);
      }
    }
    for (const op of local) {
      try {
        await deleteLocal(op, ctx, deps);
        tracker.finish(op.path);
        succeed(op);
      } catch (err) {
        fail(op, err);
      }
    }
  }
  tracker.flush();
  const held = heldReason ? deletions.length : 0;
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
    ok: failed.length === 0 && held === 0 && !cancelled,
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

async function runUpload(op: Operation, ctx: PlanContext, deps: ExecuteDeps, tracker: ProgressTracker): Promise<void> {
  const file = ctx.local.get(op.path)!;
  const r = await uploadFile(deps.client, deps.settings, {
    bucket: ctx.target.bucket,
    key: op.key,
    abs: file.abs,
    rel: op.path,
    hashes: (partSizes) => deps.cache.get(op.path, file.abs, file, partSizes),
    onBytes: (n) => tracker.bytes(n),
    signal: deps.signal,
  });
  deps.cache.remember(op.path, r.identity, r.md5, r.composite);
  deps.knowledge.learn(op.key, r.etag, r.md5);
}

async function runDownload(
  op: Operation,
  ctx: PlanContext,
  deps: ExecuteDeps,
  tracker: ProgressTracker,
  emit: (e: SyncEvent) => void,
): Promise<void> {
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
  });
  if (!r.verified) {
    emit({ type: 'warning', message: `${op.path} could not be verified: its ETag is not an MD5 and it carries no checksum metadata.` });
  }
  deps.cache.remember(op.path, r.identity, r.md5, r.composite);
  deps.knowledge.learn(op.key, obj.etag, r.md5);
  // The plan's view of the local file is now this one (a later mirror check compares with it).
  ctx.local.set(op.path, { rel: op.path, abs, ...r.identity });
}

async function deleteLocal(op: Operation, ctx: PlanContext, deps: ExecuteDeps): Promise<void> {
  const file = ctx.local.get(op.path)!;
  const st = await fs.lstat(file.abs);
  if (!st.isFile() || st.size !== file.size || st.mtimeMs !== file.mtimeMs || st.ino !== file.ino) {
    throw new ChangedDuringSyncError(`${op.path} changed locally while the sync ran, so it was not deleted; run the sync again.`);
  }
  if (!deps.trash) throw new ChangedDuringSyncError(`${op.path} was not deleted: no trash folder is configured.`);
  await deps.trash.move(file.abs, op.path);
  deps.cache.forget(op.path);
}
