// Local scan: every regular file under a folder, relative `/`-separated NFC paths, symbolic
// links reported and never followed, excluded paths invisible. A scan that could not read a
// folder is marked incomplete so that no mirror deletes on the strength of it.
import * as fs from 'node:fs/promises';
import { lstatSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { Skipped } from '../../shared/plan';
import { isOurTempName } from './store';
import type { Excluder } from './exclude';

export interface LocalFile {
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface LocalScan {
  files: Map<string, LocalFile>;
  /** Folders (relative paths) that exist, to detect file/folder clashes. */
  dirs: Set<string>;
  skipped: Skipped[];
  /** Our own temp files left by an interrupted run (absolute paths). */
  staleTemps: string[];
  complete: boolean;
  /** The folder's disk treats names that differ only in case as the same file (macOS, Windows). */
  caseInsensitive?: boolean;
}

/** Files stat'ed at once on the thread pool (a slow disk). */
const STAT_BATCH = 64;
/**
 * Files stat'ed on the calling thread between two yields to the event loop. lstatSync costs half
 * the CPU of fs.promises.lstat (10,000 files here: 41 vs 90 ms, and 64 vs 135 ms of CPU), and a
 * re-sync is mostly this scan; but once a batch has taken SLOW_BATCH_MS (a network share, a cold
 * disk) the rest of the scan goes to the thread pool, so the event loop is never held long.
 */
const SYNC_BATCH = 256;
const SLOW_BATCH_MS = 50;

export async function scanLocal(root: string, excluder: Excluder, opts: { slowBatchMs?: number } = {}): Promise<LocalScan> {
  const slowBatchMs = opts.slowBatchMs ?? SLOW_BATCH_MS;
  const result: LocalScan = { files: new Map(), dirs: new Set(), skipped: [], staleTemps: [], complete: true, caseInsensitive: await isCaseInsensitive(root) };
  const queue: Array<{ abs: string; rel: string }> = [{ abs: path.resolve(root), rel: '' }];
  let onThisThread = true;
  let sinceYield = 0;
  while (queue.length) {
    const dir = queue.pop()!;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir.abs, { withFileTypes: true });
    } catch (err) {
      result.complete = false;
      result.skipped.push({
        kind: 'unreadable',
        path: dir.rel || '.',
        reason: `the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      });
      continue;
    }
    const files: Array<{ rel: string; abs: string }> = [];
    for (const e of entries) {
      const file = classify(e, dir, result, queue, excluder);
      if (file) files.push(file);
    }
    for (let i = 0; i < files.length; ) {
      if (onThisThread) {
        const started = performance.now();
        const end = Math.min(files.length, i + SYNC_BATCH - sinceYield);
        while (i < end) {
          const f = files[i++];
          sinceYield++;
          record(result, f, () => lstatSync(f.abs));
          if (performance.now() - started >= slowBatchMs) {
            onThisThread = false; // slow disk: the rest on the thread pool
            break;
          }
        }
        if (sinceYield >= SYNC_BATCH || !onThisThread) {
          sinceYield = 0;
          await new Promise((r) => setImmediate(r)); // let responses and timers run
        }
      } else {
        const batch = files.slice(i, i + STAT_BATCH);
        const stats = await Promise.all(batch.map((f) => fs.lstat(f.abs).then((st) => () => st, (err: unknown) => () => { throw err; })));
        batch.forEach((f, k) => record(result, f, stats[k]));
        i += batch.length;
      }
    }
  }
  return result;
}

/** Sorts one directory entry: folders are queued, files returned for a stat, the rest noted. */
function classify(
  entry: Dirent,
  dir: { abs: string; rel: string },
  result: LocalScan,
  queue: Array<{ abs: string; rel: string }>,
  excluder: Excluder,
): { rel: string; abs: string } | undefined {
  const name = entry.name.normalize('NFC');
  const rel = dir.rel ? `${dir.rel}/${name}` : name;
  const abs = path.join(dir.abs, entry.name);
  if (entry.isDirectory()) {
    if (excluder.excludesDir(rel)) return undefined;
    result.dirs.add(rel);
    queue.push({ abs, rel });
    return undefined;
  }
  if (isOurTempName(entry.name)) {
    result.staleTemps.push(abs);
    return undefined;
  }
  if (excluder.excludes(rel)) return undefined;
  if (entry.isSymbolicLink()) {
    result.skipped.push({ kind: 'symlink', path: rel, reason: 'symbolic links are not followed' });
    return undefined;
  }
  if (!entry.isFile()) {
    result.skipped.push({ kind: 'special-file', path: rel, reason: 'not a regular file (device, socket or pipe)' });
    return undefined;
  }
  return { rel, abs };
}

/** Adds a file from its lstat (`stat` throws what lstat threw). */
function record(result: LocalScan, file: { rel: string; abs: string }, stat: () => Stats): void {
  try {
    const st = stat();
    if (!st.isFile()) return;
    result.files.set(file.rel, { rel: file.rel, abs: file.abs, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // vanished while scanning
    result.complete = false;
    result.skipped.push({ kind: 'unreadable', path: file.rel, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
  }
}

/**
 * Does the folder's disk treat names that differ only in case as one? Asked without writing
 * anything: an existing entry is looked up with its case swapped. An empty folder falls back to
 * the platform's usual answer.
 */
export async function isCaseInsensitive(dir: string): Promise<boolean> {
  const guess = process.platform === 'darwin' || process.platform === 'win32';
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return guess;
  }
  const name = names.find((n) => n.toLowerCase() !== n.toUpperCase());
  if (!name) return guess;
  const swapped = [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  try {
    const [a, b] = await Promise.all([fs.lstat(path.join(dir, name)), fs.lstat(path.join(dir, swapped))]);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}
