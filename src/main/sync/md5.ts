// The one MD5 routine. Streams bytes once and yields the whole-file MD5 and, for any number of
// candidate part sizes, the composite multipart ETag (`md5(md5(part1)..md5(partN))-N`), so that
// objects uploaded in parts by other tools can be compared without downloading them. Hashing
// runs on the calling thread, 1 MiB at a time between reads and writes: measured here, a worker
// thread cost more CPU (hand-overs, garbage collection) than it saved, and made 1 GiB transfers
// slower, not faster.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs/promises';

export const MiB = 1024 * 1024;

export interface FileHashes {
  /**
   * Whole-file MD5 (hex). Empty when only composite ETags were asked for (`whole` false): a
   * multipart object without an MD5 is verified by its composite alone, one MD5 pass, not two.
   */
  md5: string;
  size: number;
  /** part size -> composite ETag (without quotes). */
  composite: Record<number, string>;
}

export class CompositeHasher {
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

  /** The MD5 of every part, a last short one included (an empty input is one empty part). */
  parts(): Buffer[] {
    if (this.inPart > 0 || this.partDigests.length === 0) {
      this.partDigests.push(this.part.digest());
      this.part = createHash('md5');
      this.inPart = 0;
    }
    return this.partDigests;
  }

  digest(): string {
    return compositeEtag(this.parts());
  }
}

/** `md5(md5(part1)..md5(partN))-N`: the ETag S3 gives an object uploaded in those parts. */
export function compositeEtag(partDigests: Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/** Hashes bytes as they pass; used by downloads (which hash while writing) and by hashFile. */
export class StreamingHasher {
  private readonly whole: Hash | null;
  private readonly composites: CompositeHasher[];
  size = 0;
  constructor(partSizes: number[] = [], whole = true) {
    this.composites = [...new Set(partSizes)].filter((p) => p > 0).map((p) => new CompositeHasher(p));
    this.whole = whole || this.composites.length === 0 ? createHash('md5') : null;
  }
  update(chunk: Buffer): void {
    this.whole?.update(chunk);
    this.size += chunk.length;
    for (const c of this.composites) c.update(chunk);
  }
  digest(): FileHashes {
    const composite: Record<number, string> = {};
    for (const c of this.composites) composite[c.partSize] = c.digest();
    return { md5: this.whole?.digest('hex') ?? '', size: this.size, composite };
  }
}

/**
 * Whole-file MD5 (unless `whole` is false) and composite ETags of a file, read once: small files
 * in one go, large ones in 1 MiB pieces, the next piece read while the last one is hashed.
 */
export async function hashFile(file: string, partSizes: number[] = [], whole = true): Promise<FileHashes> {
  const fh = await fs.open(file, 'r');
  try {
    const hasher = new StreamingHasher(partSizes, whole);
    const { size } = await fh.stat();
    if (size <= MiB) {
      hasher.update(await fh.readFile()); // to the end, even if the file grew meanwhile
      return hasher.digest();
    }
    const pieces = [Buffer.allocUnsafeSlow(MiB), Buffer.allocUnsafeSlow(MiB)];
    let position = 0;
    let reading = fh.read(pieces[0], 0, MiB, 0);
    for (let i = 1; ; i++) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      reading = fh.read(pieces[i % 2], 0, MiB, position);
      hasher.update(buffer.subarray(0, bytesRead));
    }
    return hasher.digest();
  } finally {
    await fh.close();
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
