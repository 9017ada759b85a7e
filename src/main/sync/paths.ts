// The one path-safety check. Every local path the engine writes is derived through here, so a
// hostile key (`../x`, `/etc/x`, `a//b`, `a\b`) can never make us write outside the folder.
import * as path from 'node:path';
import * as fs from 'node:fs/promises';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
// Characters Windows cannot hold in a name; on other systems only NUL (and '/') are impossible,
// so this set is checked only where the local OS is Windows.
const WINDOWS_BAD_CHARS = /[<>:"|?*\u0000-\u001f]/;

/**
 * Why a relative path (from an S3 key) cannot be written locally, or null when it is safe.
 * `rel` is the part of the key after the synced prefix.
 */
export function unsafeReason(rel: string, platform: NodeJS.Platform = process.platform): string | null {
  if (rel === '') return 'the key is empty after the prefix';
  if (rel.startsWith('/')) return 'it starts with "/"';
  if (rel.includes('\\')) return 'it contains a backslash';
  if (rel.includes('\0')) return 'it contains a NUL character';
  const segments = rel.split('/');
  for (const seg of segments) {
    if (seg === '') return 'it has an empty path segment ("//" or a trailing "/")';
    if (seg === '.' || seg === '..') return `it has a "${seg}" segment`;
    if (Buffer.byteLength(seg, 'utf8') > 255) return 'a name in it is longer than 255 bytes';
    if (platform === 'win32') {
      if (WINDOWS_BAD_CHARS.test(seg)) return 'it has a character Windows cannot store in a file name';
      if (WINDOWS_RESERVED.test(seg)) return `"${seg}" is a reserved name on Windows`;
      if (/[. ]$/.test(seg)) return 'a name in it ends with a dot or a space, which Windows drops';
    } else if (/[\u0000-\u001f]/.test(seg)) {
      // Control characters are legal on Linux and macOS, but make files nobody can type.
      return 'it contains a control character';
    }
  }
  if (Buffer.byteLength(rel, 'utf8') > 4000) return 'the path is longer than 4000 bytes';
  return null;
}

/** Joins `rel` (already checked with unsafeReason) under `root`, and proves it stays inside. */
export function resolveInside(root: string, rel: string): string {
  const abs = path.resolve(root, ...rel.split('/'));
  const base = path.resolve(root);
  if (abs !== base && !abs.startsWith(base + path.sep)) {
    throw new Error(`refusing to touch ${abs}: it is outside ${base}`);
  }
  return abs;
}

/**
 * Before writing `abs`, make sure none of its parent folders inside `root` is a symbolic link
 * (which could point anywhere) and create the missing ones. Returns false when a parent is a
 * file or a link: the caller reports it and writes nothing.
 */
export async function ensureParentInside(root: string, abs: string): Promise<string | null> {
  const base = path.resolve(root);
  const rel = path.relative(base, path.dirname(abs));
  if (rel === '') return null;
  let cur = base;
  for (const seg of rel.split(path.sep)) {
    cur = path.join(cur, seg);
    let st;
    try {
      st = await fs.lstat(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      try {
        await fs.mkdir(cur);
      } catch (mkErr) {
        if ((mkErr as NodeJS.ErrnoException).code !== 'EEXIST') throw mkErr;
      }
      st = await fs.lstat(cur);
    }
    if (st.isSymbolicLink()) return `${path.relative(base, cur)} is a symbolic link`;
    if (!st.isDirectory()) return `${path.relative(base, cur)} is a file, not a folder`;
  }
  return null;
}

/** Local relative path (OS separators) to the `/`-separated NFC form used everywhere else. */
export function toPosixRel(relOs: string): string {
  return relOs.split(path.sep).join('/').normalize('NFC');
}
