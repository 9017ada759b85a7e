// The plan: what a sync will do, as a plain value. The CLI's --dry-run prints it, the app's diff
// view shows it, and the executor runs exactly it. No Node or Electron types here (the renderer
// imports this module).

/** push: local -> S3; pull: S3 -> local; sync: both ways (three-way, with conflicts kept). */
export type Direction = 'push' | 'pull' | 'sync';

export type OperationKind =
  | 'upload' // local -> S3
  | 'download' // S3 -> local
  | 'delete-remote' // remove an object (mirror, or a local deletion in two-way sync)
  | 'delete-local' // move a local file to the trash (mirror, or a remote deletion in two-way sync)
  | 'move-remote' // a local rename: server-side copy `from` -> `path`, then delete `from`
  | 'move-local' // a remote rename: rename the local file `from` -> `path`
  | 'conflict'; // both sides changed differently: keep both (see conflictPath)

export interface Operation {
  kind: OperationKind;
  /** Path relative to the synced folder, `/`-separated, NFC. */
  path: string;
  /** The full S3 key. */
  key: string;
  /** Bytes to move (0 for deletions). */
  size: number;
  /** Why: a sentence fragment a person understands ("new file", "content differs (MD5)"). */
  reason: string;
  /** move-*: the old path. */
  from?: string;
  /** conflict: where the local version is kept (`name (conflict host date).ext`, on both sides). */
  conflictPath?: string;
}

export type SkipKind =
  | 'symlink'
  | 'unsafe-key'
  | 'object-and-prefix'
  | 'special-file'
  | 'unreadable'
  | 'not-a-directory';

/** Something the sync saw and deliberately left alone, reported to the user. */
export interface Skipped {
  kind: SkipKind;
  path: string;
  reason: string;
}

export interface PlanCounts {
  upload: number;
  download: number;
  deleteRemote: number;
  deleteLocal: number;
  moveRemote: number;
  moveLocal: number;
  conflicts: number;
  unchanged: number;
  skipped: number;
  bytes: number;
}

export interface DeletionGuard {
  /** True when the deletions in this plan will not be carried out without --max-delete. */
  tripped: boolean;
  message: string;
}

export interface Plan {
  direction: Direction;
  /** Mirror: make the target identical to the source (deletes extras). */
  mirror: boolean;
  localRoot: string;
  /** `s3://bucket/prefix/` or `s3://bucket/key` for a single object. */
  remote: string;
  operations: Operation[];
  skipped: Skipped[];
  /** Notes about how decisions were made (e.g. equality fell back to size + mtime). */
  notes: string[];
  counts: PlanCounts;
  guard: DeletionGuard | null;
  /** False when a listing failed or was partial: no deletion may happen. */
  listingComplete: boolean;
  /** Local files whose content had to be read to plan (0 when the hash cache knew them all). */
  hashed: number;
}

export function countOperations(
  operations: Operation[],
  unchanged: number,
  skipped: number,
): PlanCounts {
  const counts: PlanCounts = {
    upload: 0,
    download: 0,
    deleteRemote: 0,
    deleteLocal: 0,
    moveRemote: 0,
    moveLocal: 0,
    conflicts: 0,
    unchanged,
    skipped,
    bytes: 0,
  };
  for (const op of operations) {
    if (op.kind === 'upload') counts.upload++;
    else if (op.kind === 'download') counts.download++;
    else if (op.kind === 'delete-remote') counts.deleteRemote++;
    else if (op.kind === 'delete-local') counts.deleteLocal++;
    else if (op.kind === 'move-remote') counts.moveRemote++;
    else if (op.kind === 'move-local') counts.moveLocal++;
    else counts.conflicts++;
    counts.bytes += op.size;
  }
  return counts;
}

export function isDeletion(kind: OperationKind): boolean {
  return kind === 'delete-remote' || kind === 'delete-local';
}
