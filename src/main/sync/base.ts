// The base of a two-way pair: the last synced state of every path (local size, mtime, inode and
// MD5; remote ETag). Three-way decisions compare each side with it. Stored in the data
// directory, written atomically; a missing or unreadable base means "first sync" (union of both
// sides, equal files adopted, different ones kept as conflicts) — never "delete".
import * as path from 'node:path';
import { readJson, stableId, writeFileAtomic } from './store';

const VERSION = 1;

export interface BaseEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  md5: string;
  etag: string;
}

interface BaseFile {
  version: number;
  localRoot: string;
  remote: string;
  entries: Record<string, BaseEntry>;
}

export class BaseStore {
  private entries = new Map<string, BaseEntry>();
  /** True when no base was found: the next sync is a first sync. */
  fresh = true;

  private constructor(
    private readonly file: string | null,
    private readonly localRoot: string,
    private readonly remote: string,
  ) {}

  static async open(dataDir: string | null, localRoot: string, endpoint: string, remote: string): Promise<BaseStore> {
    const root = path.resolve(localRoot);
    const file = dataDir ? path.join(dataDir, 'base', `${stableId(root, endpoint, remote)}.json`) : null;
    const store = new BaseStore(file, root, remote);
    if (file) {
      const data = await readJson<BaseFile>(file);
      if (data?.version === VERSION && data.localRoot === root && data.remote === remote && data.entries && typeof data.entries === 'object') {
        for (const [rel, e] of Object.entries(data.entries)) {
          if (e && typeof e.md5 === 'string' && typeof e.etag === 'string' && typeof e.size === 'number') store.entries.set(rel, e);
        }
        store.fresh = false;
      }
    }
    return store;
  }

  get(rel: string): BaseEntry | undefined {
    return this.entries.get(rel);
  }
  set(rel: string, entry: BaseEntry): void {
    this.entries.set(rel, entry);
  }
  delete(rel: string): void {
    this.entries.delete(rel);
  }
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
  get size(): number {
    return this.entries.size;
  }

  async save(): Promise<void> {
    this.fresh = false;
    if (!this.file) return;
    const data: BaseFile = { version: VERSION, localRoot: this.localRoot, remote: this.remote, entries: Object.fromEntries(this.entries) };
    await writeFileAtomic(this.file, JSON.stringify(data));
  }
}
