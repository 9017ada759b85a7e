// Persistent hash cache for one local folder: an unchanged file (same path, size, mtime and
// inode) is never hashed twice. Lives in the data directory, one file per synced folder.
import * as path from 'node:path';
import { hashFile, type FileHashes } from './md5';
import { readJson, stableId, writeFileAtomic } from './store';

/** 2: md5 may be '' (only composites known). Version 1 files (never '') are read as they are. */
const VERSION = 2;
/**
 * Like git's "racily clean" rule: the hash of a file modified very recently is not cached, since
 * another write within the same timestamp tick would leave size and mtime unchanged. Where
 * timestamps have whole seconds (FAT's are 2 s) that takes 2 s. An mtime with a fraction of a
 * second shows a fine-grained file system (ext4, XFS, btrfs, APFS, NTFS: a few ms at most),
 * where half a second is ample — so a file edited and synced at once is cached at once, and the
 * next run re-hashes nothing. (A fine-grained mtime that happens to be a whole second is treated
 * as coarse: the safe side.)
 */
export function racyWindowMs(mtimeMs: number): number {
  return mtimeMs % 1000 === 0 ? 2000 : 500;
}

function isRacy(mtimeMs: number): boolean {
  return Date.now() - mtimeMs < racyWindowMs(mtimeMs);
}

/** [size, mtimeMs, ino, md5 ('' when only composites are known), composites] */
type Row = [number, number, number, string, Record<number, string>];

interface CacheFile {
  version: number;
  root: string;
  rows: Record<string, Row>;
}

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

export class HashCache {
  private rows = new Map<string, Row>();
  private seen = new Set<string>();
  private dirty = false;
  /** How many files were actually read and hashed during this run (the benchmark reports it). */
  hashed = 0;

  private constructor(
    private readonly file: string | null,
    private readonly root: string,
  ) {}

  /** A cache for `root` stored under `dataDir`; with dataDir null it only lives in memory. */
  static async open(dataDir: string | null, root: string): Promise<HashCache> {
    const file = dataDir ? path.join(dataDir, 'hash-cache', `${stableId(path.resolve(root))}.json`) : null;
    const cache = new HashCache(file, path.resolve(root));
    if (file) {
      const data = await readJson<CacheFile>(file);
      if (data && (data.version === VERSION || data.version === 1) && data.root === cache.root && data.rows && typeof data.rows === 'object') {
        for (const rel in data.rows) {
          const row = data.rows[rel];
          if (Array.isArray(row) && row.length === 5 && typeof row[3] === 'string') cache.rows.set(rel, row);
        }
      }
    }
    return cache;
  }

  private valid(rel: string, id: FileIdentity): Row | undefined {
    const row = this.rows.get(rel);
    if (row && row[0] === id.size && row[1] === id.mtimeMs && row[2] === id.ino) return row;
    return undefined;
  }

  /** The cached MD5, or undefined when the file changed since it was hashed (or only composites are known). */
  peek(rel: string, id: FileIdentity): string | undefined {
    const row = this.valid(rel, id);
    if (row) this.seen.add(rel);
    return row?.[3] || undefined;
  }

  /**
   * The whole-file MD5 last remembered for `rel`, even when the file has changed since: the
   * content it had then. An S3 ETag equal to it is proven to be an MD5, not an SSE token.
   */
  lastMd5(rel: string): string | undefined {
    return this.rows.get(rel)?.[3] || undefined;
  }

  /** What `get` would answer without hashing, or undefined when it would have to hash. */
  cached(rel: string, id: FileIdentity, partSizes: number[] = [], whole = true): FileHashes | undefined {
    const row = this.valid(rel, id);
    this.seen.add(rel);
    if (row && (row[3] || !whole) && partSizes.every((p) => row[4][p] !== undefined)) {
      return { md5: row[3], size: row[0], composite: row[4] };
    }
    return undefined;
  }

  /**
   * The requested composite ETags and, unless `whole` is false, the whole-file MD5 — hashing the
   * file only when the cache lacks one of them. With `whole` false, `md5` may come back empty.
   */
  async get(rel: string, abs: string, id: FileIdentity, partSizes: number[] = [], whole = true): Promise<FileHashes> {
    const known = this.cached(rel, id, partSizes, whole);
    if (known) return known;
    const row = this.valid(rel, id);
    const hashes = await hashFile(abs, partSizes, whole);
    this.hashed++;
    if (hashes.size !== id.size || isRacy(id.mtimeMs)) {
      // The file changed while we read it, or was written so recently that another write within
      // the same mtime tick could follow: do not remember a hash of a moving target.
      return hashes;
    }
    const composites = row ? { ...row[4], ...hashes.composite } : hashes.composite;
    const md5 = hashes.md5 || row?.[3] || '';
    this.rows.set(rel, [id.size, id.mtimeMs, id.ino, md5, composites]);
    this.dirty = true;
    return { ...hashes, md5, composite: composites };
  }

  /** Record a hash we computed ourselves (e.g. while downloading; md5 '' when only composites were). */
  remember(rel: string, id: FileIdentity, md5: string, composite: Record<number, string> = {}): void {
    this.seen.add(rel);
    if (isRacy(id.mtimeMs)) {
      this.forget(rel);
      return;
    }
    this.rows.set(rel, [id.size, id.mtimeMs, id.ino, md5, composite]);
    this.dirty = true;
  }

  forget(rel: string): void {
    if (this.rows.delete(rel)) this.dirty = true;
  }

  /**
   * Writes the cache. With `present` (every path a complete scan found), rows for files that
   * are gone are dropped; after a partial scan pass null and they are kept.
   */
  async save(present: ReadonlySet<string> | null): Promise<void> {
    if (!this.file) return;
    if (present) {
      for (const rel of this.rows.keys()) {
        if (!present.has(rel) && !this.seen.has(rel)) {
          this.rows.delete(rel);
          this.dirty = true;
        }
      }
    }
    if (!this.dirty) return;
    const data: CacheFile = { version: VERSION, root: this.root, rows: Object.fromEntries(this.rows) };
    await writeFileAtomic(this.file, JSON.stringify(data));
    this.dirty = false;
  }
}
