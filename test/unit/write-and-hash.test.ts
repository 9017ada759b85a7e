// Downloads write 1 MiB batches at their offsets, several at once, and hash them on a worker:
// writes may finish in any order, yet the hash must be of the bytes in file order.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type * as fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { md5Stream, ownedBuffer } from '../../src/main/sync/hash-worker';
import { StreamingHasher, MiB } from '../../src/main/sync/md5';
import { writeAndHash } from '../../src/main/sync/transfer';

/** A file handle whose writes finish in a scrambled order, recording where each byte landed. */
function scrambledFile(size: number) {
  const disk = Buffer.alloc(size);
  let n = 0;
  const fh = {
    async write(buf: Buffer, off: number, len: number, pos: number) {
      const delay = [7, 0, 3, 1][n++ % 4];
      await new Promise((r) => setTimeout(r, delay));
      buf.copy(disk, pos, off, off + len);
      return { bytesWritten: len, buffer: buf };
    },
    async datasync() {},
  };
  return { disk, fh: fh as unknown as fs.FileHandle };
}

/** Chunks of odd sizes, as a socket delivers them. */
function body(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0, k = 0; i < data.length; k++) {
    const n = [65536, 1000, 300000, 17][k % 4];
    chunks.push(data.subarray(i, i + n));
    i += n;
  }
  return Readable.from(chunks);
}

describe('writeAndHash', () => {
  for (const [label, size] of [
    ['on the calling thread (small)', 5 * MiB + 3],
    ['on the MD5 worker (large)', 40 * MiB + 11],
  ] as const) {
    it(`hashes in file order although writes finish out of order: ${label}`, async () => {
      const data = randomBytes(size);
      const { disk, fh } = scrambledFile(size);
      const hasher = md5Stream(size, [8 * MiB]);
      let reported = 0;
      const n = await writeAndHash(body(data), fh, hasher, { onBytes: (b) => (reported += b), expect: { size } });
      const got = await hasher.digest();
      const ref = new StreamingHasher([8 * MiB]);
      ref.update(data);
      expect(n).toBe(size);
      expect(reported).toBe(size);
      expect(disk.equals(data)).toBe(true);
      expect(got).toEqual(ref.digest());
      expect(got.md5).toBe(createHash('md5').update(data).digest('hex'));
    });
  }

  it('returns the memory it hands to the worker intact (same bytes come back)', async () => {
    const s = md5Stream(64 * MiB);
    let b = ownedBuffer(MiB);
    b.fill(42);
    const ref = createHash('md5');
    for (let i = 0; i < 8; i++) {
      ref.update(b);
      b = await s.update(b);
      expect(b.length).toBe(MiB);
      expect(b[MiB - 1]).toBe(42);
    }
    expect((await s.digest()).md5).toBe(ref.digest('hex'));
  });
});
