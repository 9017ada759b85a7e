// What we have learned about remote objects whose ETag is not their MD5 (multipart uploads,
// SSE-KMS): key + ETag -> whole-file MD5. It lets a no-op sync decide equality from the listing
// alone, with no per-file HEAD, and stops non-MD5 ETags from re-transferring forever (seed
// defect 11). Keyed by ETag, so any change on S3 invalidates the entry by itself.
import * as path from 'node:path';
import { readJson, stableId, writeFileAtomic } from './store';

const VERSION = 1;

interface FileShape {
  version: number;
  rows: Record<string, [string, string]>;
}

export class RemoteKnowledge {
  private rows = new Map<string, [string, string]>();
  private dirty = false;
  private constructor(private readonly file: string | null) {}

  static async open(dataDir: string | null, endpoint: string, bucket: string, prefix: string): Promise<RemoteKnowledge> {
    const file = dataDir ? path.join(dataDir, 'remote-cache', `${stableId(endpoint, bucket, prefix)}.json`) : null;
    const k = new RemoteKnowledge(file);
    if (file) {
      const data = await readJson<FileShape>(file);
      if (data?.version === VERSION && data.rows && typeof data.rows === 'object') {
        for (const [key, row] of Object.entries(data.rows)) {
          if (Array.isArray(row) && row.length === 2) k.rows.set(key, row);
        }
      }
    }
    return k;
  }

  md5For(key: string, etag: string): string | undefined {
    const row = this.rows.get(key);
    return row && row[0] === etag ? row[1] : undefined;
  }

  learn(key: string, etag: string, md5: string): void {
    if (!etag || etag === md5) return; // a plain-MD5 ETag says it already
    const row = this.rows.get(key);
    if (row && row[0] === etag && row[1] === md5) return;
    this.rows.set(key, [etag, md5]);
    this.dirty = true;
  }

  forget(key: string): void {
    if (this.rows.delete(key)) this.dirty = true;
  }

  async save(present: ReadonlySet<string> | null): Promise<void> {
    if (!this.file) return;
    if (present) {
      for (const key of this.rows.keys()) {
        if (!present.has(key)) {
          this.rows.delete(key);
          this.dirty = true;
        }
      }
    }
    if (!this.dirty) return;
    await writeFileAtomic(this.file, JSON.stringify({ version: VERSION, rows: Object.fromEntries(this.rows) }));
    this.dirty = false;
  }
}
