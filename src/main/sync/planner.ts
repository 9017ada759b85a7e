// The planner: from a local scan and a remote listing, decide every operation of a one-way sync
// (push or pull, optionally a mirror), each with its reason. Pure decisions plus the equality
// checks it asks for; it changes nothing. The result is the Plan value the CLI prints, the app's
// diff view shows and the executor runs.
import type { Direction, Operation, Plan, Skipped, DeletionGuard } from '../../shared/plan';
import { countOperations } from '../../shared/plan';
import { compareFiles, quickVerdict, type CompareEnv, type Verdict } from './compare';
import { runPool } from './concurrency';
import type { Excluder } from './exclude';
import type { LocalFile, LocalScan } from './local-scan';
import { unsafeReason } from './paths';
import type { RemoteObject } from './s3';

export interface Target {
  direction: Direction;
  mirror: boolean;
  bucket: string;
  /** The local folder the relative paths hang from (a single file's parent folder). */
  localRoot: string;
  /** '' or ending with '/': the key of a path is prefix + path. */
  prefix: string;
  /** Single-file mode: the one path and its key (which may have another name). */
  single?: { rel: string; key: string };
  /** How to show the remote side: s3://bucket/prefix/ or s3://bucket/key. */
  remoteLabel: string;
}

export function keyFor(target: Target, rel: string): string {
  return target.single ? target.single.key : target.prefix + rel;
}

/** Everything the executor needs beyond the plan value itself. */
export interface PlanContext {
  target: Target;
  local: Map<string, LocalFile>;
  remote: Map<string, RemoteObject>;
  localComplete: boolean;
  remoteComplete: boolean;
  /** An incremental sync saw only some paths: caches must not forget the others. */
  partial?: boolean;
}

export interface PlanInput {
  target: Target;
  scan: LocalScan;
  remote: RemoteObject[];
  remoteComplete: boolean;
  excluder: Excluder;
  compare: CompareEnv;
  /** Deletions allowed by the user (--max-delete); undefined: the default guard. */
  maxDelete?: number;
  compareConcurrency?: number;
}

export async function buildPlan(input: PlanInput): Promise<{ plan: Plan; context: PlanContext }> {
  const { target, scan, excluder } = input;
  const skipped: Skipped[] = [...scan.skipped];
  const notes: string[] = [];
  const pull = target.direction === 'pull';

  const protectedPaths = new Set<string>();
  const remote = remoteByRel(target, input.remote, scan, excluder, pull, skipped, protectedPaths);

  const local = scan.files;
  const source: Map<string, unknown> = pull ? remote : local;
  const targetSide: Map<string, unknown> = pull ? local : remote;

  const operations: Operation[] = [];
  const both: string[] = [];
  for (const rel of source.keys()) {
    if (targetSide.has(rel)) {
      both.push(rel);
    } else {
      operations.push(transfer(target, rel, pull ? remote.get(rel)!.size : local.get(rel)!.size, pull ? 'new on S3' : 'new local file'));
    }
  }

  let unchanged = 0;
  const fallbacks = new Map<string, number>();
  const decided: Array<Operation | null> = new Array(both.length).fill(null);
  const record = (i: number, verdict: Verdict) => {
    if (verdict.fallback) fallbacks.set(verdict.fallback, (fallbacks.get(verdict.fallback) ?? 0) + 1);
    if (verdict.equal) unchanged++;
    else decided[i] = transfer(target, both[i], pull ? remote.get(both[i])!.size : local.get(both[i])!.size, verdict.reason);
  };
  // What the caches decide at once; the rest (hashing, HEADs) a few at a time.
  const slow: number[] = [];
  both.forEach((rel, i) => {
    const quick = quickVerdict(local.get(rel)!, remote.get(rel)!, input.compare);
    if (quick) record(i, quick);
    else slow.push(i);
  });
  await runPool(slow, input.compareConcurrency ?? 8, async (i) => {
    const rel = both[i];
    const l = local.get(rel)!;
    const r = remote.get(rel)!;
    let verdict;
    try {
      verdict = await compareFiles(l, r, input.compare);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') {
        skipped.push({ kind: 'unreadable', path: rel, reason: `cannot be read (${code})` });
        protectedPaths.add(rel);
        return;
      }
      throw err;
    }
    record(i, verdict);
  });
  for (const op of decided) if (op) operations.push(op);
  notes.push(...fallbackNotes(fallbacks));

  let deletions = 0;
  if (target.mirror && !target.single) {
    for (const rel of targetSide.keys()) {
      if (source.has(rel) || protectedPaths.has(rel)) continue;
      deletions++;
      operations.push({
        kind: pull ? 'delete-local' : 'delete-remote',
        path: rel,
        key: keyFor(target, rel),
        size: 0,
        reason: pull ? 'not on S3 (mirror); moved to the trash' : 'not in the local folder (mirror)',
      });
    }
  }
  sortOperations(operations);
  const localComplete = localScanComplete(scan, skipped);
  const listingComplete = localComplete && input.remoteComplete;
  const guard = deletionGuard({
    deletions,
    sourceCount: source.size,
    targetCount: targetSide.size,
    maxDelete: input.maxDelete,
    listingComplete,
    where: pull ? target.localRoot : target.remoteLabel,
  });
  const plan = assemblePlan(target, { direction: target.direction, mirror: target.mirror, operations, skipped, notes, unchanged, guard, listingComplete, hashed: input.compare.cache.hashed });
  return { plan, context: { target, local, remote, localComplete, remoteComplete: input.remoteComplete } };
}

/**
 * Remote objects by relative path, minus excluded ones and — when the sync may write locally —
 * names that cannot be local files (reported in `skipped`; paths that must not be deleted on the
 * other side go into `protectedPaths`).
 */
export function remoteByRel(
  target: Target,
  objects: RemoteObject[],
  scan: LocalScan,
  excluder: Excluder,
  writesLocally: boolean,
  skipped: Skipped[],
  protectedPaths: Set<string>,
): Map<string, RemoteObject> {
  const remote = new Map<string, RemoteObject>();
  const rels = objects.map((o) => (target.single ? target.single.rel : o.key.slice(target.prefix.length)));
  const remoteDirs = new Set<string>();
  for (const rel of rels) {
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) remoteDirs.add(rel.slice(0, i));
  }
  // On a case-insensitive disk, `A.txt` and `a.txt` would be one file: keep the first, report the rest.
  const folded = new Map<string, string>();
  // Local entries the scan skipped (links, special files, unreadable) are never replaced or deleted.
  const localSkipped = new Set(scan.skipped.map((k) => k.path));
  for (const rel of localSkipped) protectedPaths.add(rel);
  objects.forEach((o, i) => {
    const rel = rels[i];
    if (!target.single && excluder.excludes(rel)) return;
    if (writesLocally && !target.single && scan.caseInsensitive) {
      const key = rel.toLowerCase();
      const first = folded.get(key);
      if (first !== undefined && first !== rel) {
        skipped.push({ kind: 'unsafe-key', path: o.key, reason: `skipped: this disk does not tell "${rel}" from "${first}" (names differ only in case)` });
        protectedPaths.add(rel);
        return;
      }
      folded.set(key, rel);
    }
    if (writesLocally && !target.single) {
      const unsafe = unsafeReason(rel);
      if (unsafe) {
        skipped.push({ kind: 'unsafe-key', path: o.key, reason: `skipped: ${unsafe}` });
        protectedPaths.add(rel); // a local file of that name (possible on this OS) must not look deleted on S3
        return;
      }
      if (localSkipped.has(rel)) {
        skipped.push({ kind: 'symlink', path: rel, reason: 'skipped: the local path is a symbolic link or special file, which s3lync does not replace' });
        protectedPaths.add(rel);
        return;
      }
      // A name that is an object and also a prefix (`x` and `x/y`) cannot be both a file and a folder.
      if (remoteDirs.has(rel)) {
        skipped.push({ kind: 'object-and-prefix', path: rel, reason: `skipped: "${rel}" is both an object and a prefix on S3; the objects under it are synced` });
        protectedPaths.add(rel);
        return;
      }
      if (scan.dirs.has(rel)) {
        skipped.push({ kind: 'not-a-directory', path: rel, reason: 'skipped: a local folder has the same name' });
        protectedPaths.add(rel);
        return;
      }
      const blocker = parentFile(rel, scan.files);
      if (blocker) {
        skipped.push({ kind: 'not-a-directory', path: rel, reason: `skipped: the local file "${blocker}" is where a folder should be` });
        protectedPaths.add(rel);
        return;
      }
    }
    remote.set(rel, o);
  });
  return remote;
}

/** Transfers before deletions (a failed transfer then holds every deletion), each by path. */
export function sortOperations(operations: Operation[]): void {
  const order = (o: Operation) => (o.kind === 'delete-local' || o.kind === 'delete-remote' ? 1 : 0);
  operations.sort((a, b) => order(a) - order(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The local side is complete only if it was scanned whole and every file could be read. */
export function localScanComplete(scan: { complete: boolean }, skipped: Skipped[]): boolean {
  return scan.complete && !skipped.some((k) => k.kind === 'unreadable');
}

/** One note per reason that made files be compared by size and time instead of content. */
export function fallbackNotes(fallbacks: Map<string, number>): string[] {
  return [...fallbacks].map(([why, n]) => `${n} file${n === 1 ? ' was' : 's were'} compared by size and modification time, because ${why}.`);
}

export function assemblePlan(
  target: Target,
  p: Pick<Plan, 'direction' | 'mirror' | 'operations' | 'skipped' | 'notes' | 'guard' | 'listingComplete' | 'hashed'> & { unchanged: number },
): Plan {
  return {
    direction: p.direction,
    mirror: p.mirror,
    localRoot: target.localRoot,
    remote: target.remoteLabel,
    operations: p.operations,
    skipped: p.skipped,
    notes: p.notes,
    counts: countOperations(p.operations, p.unchanged, p.skipped.length),
    guard: p.guard,
    listingComplete: p.listingComplete,
    hashed: p.hashed,
  };
}

function transfer(target: Target, rel: string, size: number, reason: string): Operation {
  return { kind: target.direction === 'pull' ? 'download' : 'upload', path: rel, key: keyFor(target, rel), size, reason };
}

function parentFile(rel: string, files: Map<string, LocalFile>): string | null {
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
    const parent = rel.slice(0, i);
    if (files.has(parent)) return parent;
  }
  return null;
}

/**
 * The deletion guard: a mirror from an empty source, or one that would delete more than half of
 * the target's files (when it has more than 10), stops before deleting unless the user allowed
 * that many with --max-delete. A partial listing holds every deletion.
 */
export function deletionGuard(a: {
  deletions: number;
  sourceCount: number;
  targetCount: number;
  maxDelete?: number;
  listingComplete: boolean;
  where: string;
}): DeletionGuard | null {
  if (a.deletions === 0) return null;
  const n = a.deletions;
  const files = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
  if (!a.listingComplete) {
    return { tripped: true, message: `No deletions: part of a listing could not be read, so the ${files(n)} missing from it may still exist. Fix the errors above and run again.` };
  }
  if (a.maxDelete !== undefined) {
    if (n <= a.maxDelete) return null;
    return { tripped: true, message: `Stopped before deleting ${files(n)} in ${a.where}: more than --max-delete ${a.maxDelete}. Check the plan with --dry-run, then run again with --max-delete ${n} to allow it.` };
  }
  if (a.sourceCount === 0) {
    return { tripped: true, message: `Stopped before deleting ${files(n)} in ${a.where}: the source is empty, which is more often a mistake (wrong path or prefix) than a wish. If you really want everything removed, run again with --max-delete ${n}.` };
  }
  if (a.targetCount > 10 && n > a.targetCount / 2) {
    return { tripped: true, message: `Stopped before deleting ${files(n)} of ${a.targetCount} in ${a.where}: that is more than half of them. Check the plan with --dry-run, then run again with --max-delete ${n} to allow it.` };
  }
  return null;
}
