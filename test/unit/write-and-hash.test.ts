// Downloads write 1 MiB batches at their offsets, several at once: writes may finish in any
// order, yet the hash must be of the bytes in file order, and every byte must land in its place.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type * as fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
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
    ['less than a batch', 1000],
    ['a few batches', 5 * MiB + 3],
    ['past the 64 MiB flush point', 70 * MiB + 11],
  ] as const) {
    it(`hashes in file order although writes finish out of order: ${label}`, async () => {
      const data = randomBytes(size);
      const { disk, fh } = scrambledFile(size);
      const hasher = new StreamingHasher([8 * MiB]);
      let reported = 0;
      const n = await writeAndHash(body(data), fh, hasher, { onBytes: (b) => (reported += b), expect: { size } });
      const got = hasher.digest();
      const ref = new StreamingHasher([8 * MiB]);
      ref.update(data);
      expect(n).toBe(size);
      expect(reported).toBe(size);
      expect(disk.equals(data)).toBe(true);
      expect(got).toEqual(ref.digest());
      expect(got.md5).toBe(createHash('md5').update(data).digest('hex'));
    });
  }

  it('reports a failed write, after letting the other writes finish', async () => {
    const size = 6 * MiB;
    const { fh } = scrambledFile(size);
    let writes = 0;
    let running = 0;
    let maxRunning = 0;
    const failing = {
      ...fh,
      async write(buf: Buffer, off: number, len: number, pos: number) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          if (++writes === 3) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
          return await fh.write(buf, off, len, pos);
        } finally {
          running--;
        }
      },
    } as unknown as fs.FileHandle;
    await expect(writeAndHash(body(randomBytes(size)), failing, new StreamingHasher(), { onBytes: () => undefined, expect: { size } })).rejects.toThrow('disk full');
    expect(running).toBe(0); // nothing still writing when it returns
    expect(maxRunning).toBeLessThanOrEqual(4);
  });
});
