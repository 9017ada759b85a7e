// The one MD5 routine (hashFile, in hash-worker.ts, applies it to files). Streams bytes once and yields its whole-file MD5 and, for any number of
// candidate part sizes, the composite multipart ETag (`md5(md5(part1)..md5(partN))-N`), so that
// objects uploaded in parts by other tools can be compared without downloading them.
import { createHash, type Hash } from 'node:crypto';

export const MiB = 1024 * 1024;

export interface FileHashes {
  md5: string;
  size: number;
  /** part size -> composite ETag (without quotes). */
  composite: Record<number, string>;
}

class CompositeHasher {
  private readonly partDigests: Buffer[] = [];
  private part: Hash = createHash('md5');
  private inPart = 0;
  constructor(readonly partSize: number) {}

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) {
        this.partDigests.push(this.part.digest());
        this.part = createHash('md5');
        this.inPart = 0;
      }
    }
  }

  digest(): string {
    if (this.inPart > 0 || this.partDigests.length === 0) this.partDigests.push(this.part.digest());
    const all = createHash('md5').update(Buffer.concat(this.partDigests)).digest('hex');
    return `${all}-${this.partDigests.length}`;
  }
}

/** Hashes bytes as they pass; used by downloads (which hash while writing) and by hashFile. */
export class StreamingHasher {
  private readonly whole = createHash('md5');
  private readonly composites: CompositeHasher[];
  size = 0;
  constructor(partSizes: number[] = []) {
    this.composites = [...new Set(partSizes)].filter((p) => p > 0).map((p) => new CompositeHasher(p));
  }
  update(chunk: Buffer): void {
    this.whole.update(chunk);
    this.size += chunk.length;
    for (const c of this.composites) c.update(chunk);
  }
  digest(): FileHashes {
    const composite: Record<number, string> = {};
    for (const c of this.composites) composite[c.partSize] = c.digest();
    return { md5: this.whole.digest('hex'), size: this.size, composite };
  }
}

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

export function md5Base64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function base64ToHex(b64: string): string | null {
  const buf = Buffer.from(b64, 'base64');
  return buf.length === 16 ? buf.toString('hex') : null;
}

/** ETag without quotes, lower-case. */
export function cleanEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
}

export function isPlainMd5(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}

/** Number of parts in a multipart ETag (`hex-N`), or null. */
export function multipartCount(etag: string): number | null {
  const m = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
  return m ? Number(m[1]) : null;
}

/**
 * Part sizes that could have produced an N-part object of `size` bytes: first the size implied
 * by N (rounded up to a whole MiB, as every common tool uses), then 5, 8, 16 and 64 MiB — each
 * kept only when it really gives N parts.
 */
export function candidatePartSizes(size: number, parts: number): number[] {
  if (parts < 1 || size <= 0) return [];
  const implied = Math.ceil(size / parts / MiB) * MiB;
  const exact = Math.ceil(size / parts);
  const list = [implied, exact, 5 * MiB, 8 * MiB, 16 * MiB, 64 * MiB];
  return [...new Set(list)].filter((p) => p > 0 && Math.ceil(size / p) === parts);
}
