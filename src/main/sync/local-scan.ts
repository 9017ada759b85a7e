// Local scan: every regular file under a folder, relative `/`-separated NFC paths, symbolic
// links reported and never followed, excluded paths invisible. A scan that could not read a
// folder is marked incomplete so that no mirror deletes on the strength of it.
import * as fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
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

const STAT_BATCH = 64;

export async function scanLocal(root: string, excluder: Excluder): Promise<LocalScan> {
  const result: LocalScan = { files: new Map(), dirs: new Set(), skipped: [], staleTemps: [], complete: true, caseInsensitive: await isCaseInsensitive(root) };
  const queue: Array<{ abs: string; rel: string }> = [{ abs: path.resolve(root), rel: '' }];
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
    for (let i = 0; i < entries.length; i += STAT_BATCH) {
      await Promise.all(entries.slice(i, i + STAT_BATCH).map((e) => visit(e, dir, result, queue, excluder)));
    }
  }
  return result;
}

async function visit(
  entry: Dirent,
  dir: { abs: string; rel: string },
  result: LocalScan,
  queue: Array<{ abs: string; rel: string }>,
  excluder: Excluder,
): Promise<void> {
  const name = entry.name.normalize('NFC');
  const rel = dir.rel ? `${dir.rel}/${name}` : name;
  const abs = path.join(dir.abs, entry.name);
  if (entry.isDirectory()) {
    if (excluder.excludesDir(rel)) return;
    result.dirs.add(rel);
    queue.push({ abs, rel });
    return;
  }
  if (isOurTempName(entry.name)) {
    result.staleTemps.push(abs);
    return;
  }
  if (excluder.excludes(rel)) return;
  if (entry.isSymbolicLink()) {
    result.skipped.push({ kind: 'symlink', path: rel, reason: 'symbolic links are not followed' });
    return;
  }
  if (!entry.isFile()) {
    result.skipped.push({ kind: 'special-file', path: rel, reason: 'not a regular file (device, socket or pipe)' });
    return;
  }
  try {
    const st = await fs.lstat(abs);
    if (!st.isFile()) return;
    result.files.set(rel, { rel, abs, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // vanished while scanning
    result.complete = false;
    result.skipped.push({ kind: 'unreadable', path: rel, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
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
