// What we have learned about remote objects whose ETag is not their MD5 (multipart uploads,
// SSE-KMS): key + ETag -> whole-file MD5, or for a multipart object verified by its composite
// ETag alone, the part size that composite is made of. It lets a no-op sync decide equality from the listing
// alone, with no per-file HEAD, and stops non-MD5 ETags from re-transferring forever (seed
// defect 11). Keyed by ETag, so any change on S3 invalidates the entry by itself.
import * as path from 'node:path';
import { readJson, stableId, writeFileAtomic } from './store';

const VERSION = 1;

/** [etag, md5 ('' when unknown), part size of the composite ETag (0 when unknown)] */
type Row = [string, string, number];

interface FileShape {
  version: number;
  rows: Record<string, Row | [string, string]>;
  /** The last complete listing: how many keys, and where to cut it into ranges listed at once. */
  listing?: ListingShape;
}

export interface ListingShape {
  count: number;
  cuts: string[];
}

export class RemoteKnowledge {
  private rows = new Map<string, Row>();
  private listing: ListingShape | null = null;
  private dirty = false;
  private constructor(private readonly file: string | null) {}

  static async open(dataDir: string | null, endpoint: string, bucket: string, prefix: string): Promise<RemoteKnowledge> {
    const file = dataDir ? path.join(dataDir, 'remote-cache', `${stableId(endpoint, bucket, prefix)}.json`) : null;
    const k = new RemoteKnowledge(file);
    if (file) {
      const data = await readJson<FileShape>(file);
      if (data?.version === VERSION && data.rows && typeof data.rows === 'object') {
        for (const [key, row] of Object.entries(data.rows)) {
          if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string') continue;
          const partSize = row.length === 3 && Number.isSafeInteger(row[2]) && row[2] > 0 ? row[2] : 0;
          if (row[1] || partSize) k.rows.set(key, [row[0], row[1], partSize]);
        }
        const l = data.listing;
        if (l && Number.isSafeInteger(l.count) && l.count >= 0 && Array.isArray(l.cuts) && l.cuts.every((c) => typeof c === 'string')) {
          k.listing = { count: l.count, cuts: l.cuts };
        }
      }
    }
    return k;
  }

  md5For(key: string, etag: string): string | undefined {
    const row = this.rows.get(key);
    return (row && row[0] === etag && row[1]) || undefined;
  }

  /** The part size whose composite ETag verified this object (so no HEAD has to ask for it). */
  partSizeFor(key: string, etag: string): number | undefined {
    const row = this.rows.get(key);
    return (row && row[0] === etag && row[2]) || undefined;
  }

  /** Remembers the object's MD5 (may be '' when unknown) and/or the part size of its composite ETag. */
  learn(key: string, etag: string, md5: string, partSize = 0): void {
    if (!etag || etag === md5) return; // a plain-MD5 ETag says it already
    const row = this.rows.get(key);
    const same = row && row[0] === etag;
    const next: Row = [etag, md5 || (same ? row[1] : ''), partSize || (same ? row[2] : 0)];
    if (!next[1] && !next[2]) return;
    if (same && row[1] === next[1] && row[2] === next[2]) return;
    this.rows.set(key, next);
    this.dirty = true;
  }

  /**
   * Where the last complete listing was cut into ranges, and how many keys it had (null: never
   * listed). Any cuts give a complete listing; good ones give one full page per range.
   */
  lastListing(): ListingShape | null {
    return this.listing;
  }

  rememberListing(listing: ListingShape): void {
    const l = this.listing;
    if (l && l.count === listing.count && l.cuts.length === listing.cuts.length && l.cuts.every((c, i) => c === listing.cuts[i])) return;
    this.listing = listing;
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
    const data: FileShape = { version: VERSION, rows: Object.fromEntries(this.rows), ...(this.listing ? { listing: this.listing } : {}) };
    await writeFileAtomic(this.file, JSON.stringify(data));
    this.dirty = false;
  }
}
