// The two-way planner: local, remote and base (the last synced state) decide every path.
//   changed on one side only            -> copy it to the other
//   changed on both sides, same content -> nothing (adopt)
//   changed on both sides differently   -> conflict: keep both (`name (conflict host date).ext`)
//   deleted on one side, unchanged      -> delete on the other (local deletions go to the trash)
//   deleted on one side, changed other  -> keep the changed one (restore it)
//   first sync (no base)                -> union; equal files adopted, different ones conflicts
// A local rename becomes a server-side copy + delete; a remote rename a local rename.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Operation, Plan, Skipped } from '../../shared/plan';
import type { BaseEntry, BaseStore } from './base';
import { compareFiles, type CompareEnv } from './compare';
import { runPool } from './concurrency';
import type { Excluder } from './exclude';
import type { LocalFile, LocalScan } from './local-scan';
import { isPlainMd5 } from './md5';
import { assemblePlan, fallbackNotes, localScanComplete, remoteByRel, sortOperations, type PlanContext, type Target } from './planner';
import type { RemoteObject } from './s3';

export interface TwoWayContext extends PlanContext {
  base: BaseStore;
  /** Paths equal on both sides that the base does not know yet (or knows with stale data). */
  adopt: string[];
}

type SideState = 'absent' | 'new' | 'unchanged' | 'modified' | 'deleted';

export interface TwoWayInput {
  target: Target;
  scan: LocalScan;
  remote: RemoteObject[];
  excluder: Excluder;
  base: BaseStore;
  compare: CompareEnv;
  maxDelete?: number;
  host?: string;
  now?: Date;
  /** Incremental sync: decide only these paths (the rest is left as it is). */
  only?: ReadonlySet<string>;
}

export function conflictName(rel: string, host: string, now: Date): string {
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  const name = rel.slice(dir.length);
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safeHost = host.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'host';
  return `${dir}${stem} (conflict ${safeHost} ${stamp})${ext && ext !== name ? ext : ''}`;
}

function isConflictCopyOf(candidate: string, rel: string): boolean {
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  if (!candidate.startsWith(dir) || candidate.slice(dir.length).includes('/')) return false;
  const name = rel.slice(dir.length);
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  const c = candidate.slice(dir.length);
  return c.startsWith(`${stem} (conflict `) && c.endsWith(`)${ext && ext !== name ? ext : ''}`);
}

export async function planTwoWay(input: TwoWayInput): Promise<{ plan: Plan; context: TwoWayContext }> {
  const { target, scan, excluder, base } = input;
  const skipped: Skipped[] = [...scan.skipped];
  const protectedPaths = new Set<string>();
  const remote = remoteByRel(target, input.remote, scan, excluder, true, skipped, protectedPaths);
  const local = scan.files;
  const host = input.host ?? os.hostname();
  const now = input.now ?? new Date();
  const notes: string[] = [];
  const fallbacks = new Map<string, number>();
  const md5Of = async (l: LocalFile) => (await input.compare.cache.get(l.rel, l.abs, l)).md5;

  const all = new Set<string>([...local.keys(), ...remote.keys()]);
  for (const rel of base.keys()) if (!excluder.excludes(rel)) all.add(rel);
  const paths = [...all].filter((rel) => !protectedPaths.has(rel) && !excluder.excludes(rel) && (!input.only || input.only.has(rel))).sort();

  const localState = async (rel: string, l: LocalFile | undefined, b: BaseEntry | undefined): Promise<SideState> => {
    if (!l) return b ? 'deleted' : 'absent';
    if (!b) return 'new';
    if (l.size === b.size && l.mtimeMs === b.mtimeMs) return 'unchanged';
    if (l.size !== b.size) return 'modified';
    return (await md5Of(l)) === b.md5 ? 'unchanged' : 'modified';
  };
  const remoteState = (r: RemoteObject | undefined, b: BaseEntry | undefined): SideState => {
    if (!r) return b ? 'deleted' : 'absent';
    if (!b) return 'new';
    if (r.etag === b.etag) return 'unchanged';
    // Same content re-uploaded (another tool, or multipart vs single part): not a change.
    const known = input.compare.knowledge.md5For(r.key, r.etag) ?? (isPlainMd5(r.etag) ? r.etag : undefined);
    return known === b.md5 && r.size === b.size ? 'unchanged' : 'modified';
  };

  const ops: Array<Operation | null> = new Array(paths.length).fill(null);
  const adopt: string[] = [];
  let unchanged = 0;
  const key = (rel: string) => target.prefix + rel;
  const op = (kind: Operation['kind'], rel: string, size: number, reason: string): Operation => ({ kind, path: rel, key: key(rel), size, reason });

  await runPool(paths, 8, async (rel, i) => {
    const l = local.get(rel);
    const r = remote.get(rel);
    const b = base.get(rel);
    let ls: SideState;
    try {
      ls = await localState(rel, l, b);
    } catch (err) {
      skipped.push({ kind: 'unreadable', path: rel, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    const rs = remoteState(r, b);
    const same = async (): Promise<boolean> => {
      const v = await compareFiles(l!, r!, input.compare);
      if (v.fallback) fallbacks.set(v.fallback, (fallbacks.get(v.fallback) ?? 0) + 1);
      return v.equal;
    };
    if (ls === 'unchanged' && rs === 'unchanged') {
      unchanged++;
      if (l && b && (l.mtimeMs !== b.mtimeMs || l.ino !== b.ino)) adopt.push(rel); // touched, same content
      return;
    }
    if (ls === 'absent' && rs === 'new') ops[i] = op('download', rel, r!.size, 'new on S3');
    else if (ls === 'new' && rs === 'absent') ops[i] = op('upload', rel, l!.size, 'new local file');
    else if (ls === 'modified' && rs === 'unchanged') ops[i] = op('upload', rel, l!.size, 'changed locally');
    else if (ls === 'unchanged' && rs === 'modified') ops[i] = op('download', rel, r!.size, 'changed on S3');
    else if (ls === 'deleted' && rs === 'unchanged') ops[i] = op('delete-remote', rel, 0, 'deleted locally');
    else if (ls === 'unchanged' && rs === 'deleted') ops[i] = op('delete-local', rel, 0, 'deleted on S3; moved to the trash');
    else if (ls === 'deleted' && rs === 'deleted') adopt.push(rel); // gone on both sides: forget it
    else if (ls === 'deleted' && rs === 'modified') ops[i] = op('download', rel, r!.size, 'deleted locally but changed on S3: restored');
    else if (ls === 'modified' && rs === 'deleted') ops[i] = op('upload', rel, l!.size, 'deleted on S3 but changed locally: restored');
    else if ((ls === 'new' && rs === 'new') || (ls === 'modified' && rs === 'modified')) {
      if (await same()) {
        unchanged++;
        adopt.push(rel);
      } else {
        ops[i] = {
          ...op('conflict', rel, l!.size + r!.size, ls === 'new' ? 'different files on both sides (first sync): both kept' : 'changed on both sides: both kept'),
          conflictPath: conflictName(rel, host, now),
        };
      }
    }
  });

  let operations = ops.filter((o): o is Operation => o !== null);

  // A conflict whose local version is already kept as a conflict copy makes no second copy.
  for (const o of operations) {
    if (o.kind !== 'conflict') continue;
    const l = local.get(o.path)!;
    for (const [rel, f] of local) {
      if (f.size === l.size && isConflictCopyOf(rel, o.path) && (await md5Of(f)) === (await md5Of(l))) {
        o.conflictPath = rel;
        o.reason += ` (the local version is already kept as "${rel.split('/').pop()}")`;
        break;
      }
    }
  }

  operations = await detectRenames(operations, local, remote, base, md5Of, target);

  notes.push(...fallbackNotes(fallbacks));
  if (base.fresh && local.size + remote.size > 0) notes.push('First two-way sync of this pair: files on both sides are merged; equal files are adopted and different ones kept as conflicts.');

  sortOperations(operations);
  // Something local that could not be read makes the run incomplete: no deletions, not "ok".
  const listingComplete = localScanComplete(scan, skipped);
  const delLocal = operations.filter((o) => o.kind === 'delete-local').length;
  const delRemote = operations.filter((o) => o.kind === 'delete-remote').length;
  const guard = twoWayGuard({ delLocal, delRemote, localCount: local.size, remoteCount: remote.size, maxDelete: input.maxDelete, listingComplete, target });
  const plan = assemblePlan(target, { direction: 'sync', mirror: false, operations, skipped, notes, unchanged, guard, listingComplete, hashed: input.compare.cache.hashed });
  return { plan, context: { target, local, remote, localComplete: scan.complete, remoteComplete: true, base, adopt } };
}

/** Pairs a local deletion with a new local file of the same content (and the same on S3) as one rename. */
async function detectRenames(
  operations: Operation[],
  local: Map<string, LocalFile>,
  remote: Map<string, RemoteObject>,
  base: BaseStore,
  md5Of: (l: LocalFile) => Promise<string>,
  target: Target,
): Promise<Operation[]> {
  const out = [...operations];
  const take = (o: Operation) => out.splice(out.indexOf(o), 1);
  // Local renames: deleted locally (S3 unchanged) + new local file with the base's MD5.
  const goneLocal = out.filter((o) => o.kind === 'delete-remote');
  const newLocal = out.filter((o) => o.kind === 'upload' && !base.get(o.path) && !remote.has(o.path));
  for (const del of goneLocal) {
    const b = base.get(del.path)!;
    for (const up of newLocal) {
      const l = local.get(up.path)!;
      if (l.size !== b.size || !out.includes(up)) continue;
      if ((await md5Of(l)) !== b.md5) continue;
      take(del);
      take(up);
      out.push({ kind: 'move-remote', path: up.path, from: del.path, key: target.prefix + up.path, size: 0, reason: `renamed locally from ${del.path}` });
      break;
    }
  }
  // Remote renames: deleted on S3 (local unchanged) + new on S3 with the base's ETag.
  const goneRemote = out.filter((o) => o.kind === 'delete-local');
  const newRemote = out.filter((o) => o.kind === 'download' && !base.get(o.path) && !local.has(o.path));
  for (const del of goneRemote) {
    const b = base.get(del.path)!;
    for (const down of newRemote) {
      const r = remote.get(down.path)!;
      if (!out.includes(down) || r.size !== b.size || r.etag !== b.etag) continue;
      take(del);
      take(down);
      out.push({ kind: 'move-local', path: down.path, from: del.path, key: target.prefix + down.path, size: 0, reason: `renamed on S3 from ${del.path}` });
      break;
    }
  }
  return out;
}

function twoWayGuard(a: {
  delLocal: number;
  delRemote: number;
  localCount: number;
  remoteCount: number;
  maxDelete?: number;
  listingComplete: boolean;
  target: Target;
}): Plan['guard'] {
  const n = a.delLocal + a.delRemote;
  if (n === 0) return null;
  const files = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
  if (!a.listingComplete) {
    return { tripped: true, message: `No deletions: part of the local folder could not be read, so the ${files(n)} missing from it may still exist. Fix the errors above and run again.` };
  }
  if (a.maxDelete !== undefined) {
    return n <= a.maxDelete ? null : { tripped: true, message: `Stopped before deleting ${files(n)}: more than --max-delete ${a.maxDelete}. Check the plan with --dry-run, then run again with --max-delete ${n} to allow it.` };
  }
  const sides: Array<[number, number, string, string]> = [
    [a.delRemote, a.remoteCount, a.target.remoteLabel, 'the local folder'],
    [a.delLocal, a.localCount, a.target.localRoot, a.target.remoteLabel],
  ];
  for (const [del, count, where, other] of sides) {
    if (del === 0) continue;
    const before = count; // files on that side now
    if (before > 0 && del >= before) {
      return { tripped: true, message: `Stopped before deleting all ${files(del)} in ${where}: ${other} looks empty, which is more often a mistake (unmounted disk, wrong prefix) than a wish. If you really want it, run again with --max-delete ${n}.` };
    }
    if (before > 10 && del > before / 2) {
      return { tripped: true, message: `Stopped before deleting ${files(del)} of ${before} in ${where}: that is more than half of them. Check the plan, then allow it with --max-delete ${n}.` };
    }
  }
  return null;
}
