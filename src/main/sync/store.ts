// Where s3lync keeps its own files (never inside a synced folder), and the one way they are
// written: to a temp file beside the target, fsync'd, then renamed into place.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** The s3lync data directory: $S3LYNC_DATA_DIR, else $XDG_DATA_HOME/s3lync, else ~/.local/share/s3lync. The app passes its userData. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.S3LYNC_DATA_DIR) return path.resolve(env.S3LYNC_DATA_DIR);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : null;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'share'), 's3lync');
}

/** Where `pull` puts objects when no local path is given: $XDG_CACHE_HOME/s3lync/<bucket>/<key>. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : null;
  return path.join(xdg ?? path.join(os.homedir(), '.cache'), 's3lync');
}

export function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24);
}

export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target).slice(0, 200)}.s3lync-${randomBytes(4).toString('hex')}.tmp`);
}

/** True for the temp files we create, so scans never mistake them for user files. */
export function isOurTempName(name: string): boolean {
  return /^\..*\.s3lync-[0-9a-f]{8}\.tmp$/.test(name);
}

export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Reads JSON written by writeFileAtomic; a missing or corrupt file is null (the caller rebuilds). */
export async function readJson<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
