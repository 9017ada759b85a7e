// Downloads write each chunk at its offset as it arrives, hashed on the way; large multipart
// objects come in part-aligned ranges at once. Every byte must land in its place, the hash must
// be of exactly the bytes written, and a range the server answers wrongly must never be taken.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SyncError } from '../../src/main/sync/errors';
import { CompositeHasher, MiB, StreamingHasher, compositeEtag } from '../../src/main/sync/md5';
import { PeriodicFlush, RANGED_MIN_BYTES, RANGES, rangeOf, rangePlan, writeAndHash } from '../../src/main/sync/transfer';
import { referenceCompositeEtag, tmpDir } from '../helpers';

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
    ['one small chunk', 1000],
    ['a few MiB in odd chunks', 5 * MiB + 3],
    ['past the 64 MiB flush point', 70 * MiB + 11],
  ] as const) {
    it(`writes every byte in place and hashes exactly them: ${label}`, async () => {
      const data = randomBytes(size);
      const file = path.join(await tmpDir('wh'), 'f');
      const fh = await fs.open(file, 'wx');
      const flusher = new PeriodicFlush(fh);
      const hasher = new StreamingHasher([8 * MiB]);
      let reported = 0;
      const end = await writeAndHash(body(data), fh, hasher, { onBytes: (b) => (reported += b), position: 0, flusher });
      await flusher.settle();
      await fh.close();
      const got = hasher.digest();
      expect(end).toBe(size);
      expect(reported).toBe(size);
      expect((await fs.readFile(file)).equals(data)).toBe(true);
      expect(got.md5).toBe(createHash('md5').update(data).digest('hex'));
      expect(got.composite[8 * MiB]).toBe(referenceCompositeEtag(data, 8 * MiB));
    });
  }

  it('writes ranges at their offsets, in any order, into one file', async () => {
    const data = randomBytes(3 * MiB + 7);
    const file = path.join(await tmpDir('wh'), 'f');
    const fh = await fs.open(file, 'wx');
    const cuts = [0, MiB, 2 * MiB + 5, data.length];
    const hashers = [0, 1, 2].map(() => new StreamingHasher());
    // Interleaved: all three bodies at once, finishing in reverse order.
    const ends = await Promise.all(
      [2, 1, 0].map((i) => writeAndHash(body(data.subarray(cuts[i], cuts[i + 1])), fh, hashers[i], { onBytes: () => undefined, position: cuts[i] })),
    );
    await fh.close();
    expect(ends).toEqual([cuts[3], cuts[2], cuts[1]]);
    expect((await fs.readFile(file)).equals(data)).toBe(true);
    hashers.forEach((h, i) => expect(h.digest().md5).toBe(createHash('md5').update(data.subarray(cuts[i], cuts[i + 1])).digest('hex')));
  });

  it('stops at a broken body and at a cancel', async () => {
    const file = path.join(await tmpDir('wh'), 'f');
    const fh = await fs.open(file, 'wx');
    const broken = new Readable({ read() {} });
    broken.push(randomBytes(1000));
    setTimeout(() => broken.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 10);
    await expect(writeAndHash(broken, fh, new StreamingHasher(), { onBytes: () => undefined, position: 0 })).rejects.toThrow('socket hang up');
    const cancel = new AbortController();
    cancel.abort();
    await expect(writeAndHash(body(randomBytes(10)), fh, new StreamingHasher(), { onBytes: () => undefined, position: 0, signal: cancel.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await fh.close();
  });
});

describe('PeriodicFlush', () => {
  it('flushes in the background every 64 MiB, one at a time, and reports a failed flush', async () => {
    let calls = 0;
    let finish: () => void = () => undefined;
    const fh = {
      datasync: () => {
        calls++;
        return new Promise<void>((resolve, reject) => (finish = calls === 2 ? () => reject(Object.assign(new Error('I/O error'), { code: 'EIO' })) : resolve));
      },
    } as unknown as fs.FileHandle;
    const flusher = new PeriodicFlush(fh);
    flusher.wrote(63 * MiB);
    expect(calls).toBe(0);
    flusher.wrote(MiB);
    expect(calls).toBe(1);
    flusher.wrote(200 * MiB); // while one runs, no second
    expect(calls).toBe(1);
    finish();
    await new Promise((r) => setImmediate(r));
    flusher.wrote(64 * MiB);
    expect(calls).toBe(2);
    finish();
    await expect(flusher.settle()).rejects.toThrow('I/O error');
  });
});

describe('ranged downloads', () => {
  const GiB = 1024 * MiB;
  it('splits a large multipart object into whole parts of its likeliest part size', () => {
    const plan = rangePlan(GiB, `${'a'.repeat(32)}-128`)!; // aws-cli: 8 MiB parts
    expect(plan.partSize).toBe(8 * MiB);
    expect(plan.ranges).toHaveLength(RANGES);
    expect(plan.ranges[0]).toEqual([0, 32 * 8 * MiB - 1]);
    expect(plan.ranges.at(-1)![1]).toBe(GiB - 1);
    // Contiguous, no gap, no overlap, every boundary a part boundary.
    plan.ranges.forEach(([a], i) => {
      expect(a % plan.partSize).toBe(0);
      if (i > 0) expect(a).toBe(plan.ranges[i - 1][1] + 1);
    });
    // A short last part; fewer parts than ranges.
    const odd = rangePlan(100 * MiB + 3, `${'a'.repeat(32)}-13`)!;
    expect(odd.partSize).toBe(8 * MiB);
    expect(odd.ranges).toEqual([
      [0, 32 * MiB - 1],
      [32 * MiB, 64 * MiB - 1],
      [64 * MiB, 96 * MiB - 1],
      [96 * MiB, 100 * MiB + 2],
    ]);
    expect(rangePlan(100 * MiB, `${'a'.repeat(32)}-2`)!.ranges).toHaveLength(2);
  });

  it('keeps one stream when ranges would not help or cannot be part-aligned', () => {
    expect(rangePlan(RANGED_MIN_BYTES - 1, `${'a'.repeat(32)}-8`)).toBeNull(); // small
    expect(rangePlan(GiB, 'a'.repeat(32))).toBeNull(); // single part: its MD5 is needed whole
    expect(rangePlan(GiB, `${'a'.repeat(32)}-1`)).toBeNull();
    expect(rangePlan(64 * MiB, `${'a'.repeat(32)}-100000`)).toBeNull(); // no part size gives that many
    // 5 MiB or 5,237,765 B (or 8 MiB for 2 parts) could be right: whole MiB is the guess.
    expect(rangePlan(GiB, `${'a'.repeat(32)}-205`)?.partSize).toBe(5 * MiB);
    expect(rangePlan(10 * MiB, `${'a'.repeat(32)}-2`, 5 * MiB)).toEqual({ partSize: 5 * MiB, ranges: [[0, 5 * MiB - 1], [5 * MiB, 10 * MiB - 1]] });
  });

  it('takes only the exact range asked for; a whole-object answer is noticed', () => {
    const args = { rel: 'big.bin', expect: { size: 100 } };
    expect(rangeOf({ ContentRange: 'bytes 0-49/100', ContentLength: 50 }, [0, 49], args)).toEqual([0, 49]);
    expect(rangeOf({ ContentRange: undefined, ContentLength: 100 }, [0, 49], args)).toBeNull();
    for (const wrong of [
      { ContentRange: 'bytes 0-39/100', ContentLength: 40 },
      { ContentRange: 'bytes 0-49/120', ContentLength: 50 }, // another version of the object
      { ContentRange: 'bytes 0-49/100', ContentLength: 40 },
      { ContentRange: undefined, ContentLength: 50 },
    ]) {
      expect(() => rangeOf(wrong, [0, 49], args)).toThrow(SyncError);
    }
    expect(() => rangeOf({ ContentRange: 'bytes 10-19/120', ContentLength: 10 }, [10, 19], args)).toThrow(/asked for bytes 10-19\/100, the server sent "bytes 10-19\/120"; run the sync again/);
  });

  it('joins the parts of consecutive ranges into the composite ETag of the whole', () => {
    const data = randomBytes(21 * MiB + 9);
    const ranges = [
      [0, 10 * MiB],
      [10 * MiB, 20 * MiB],
      [20 * MiB, data.length],
    ];
    const hashers = ranges.map(([a, b]) => {
      const h = new CompositeHasher(5 * MiB);
      h.update(data.subarray(a, b));
      return h;
    });
    expect(compositeEtag(hashers.flatMap((h) => h.parts()))).toBe(referenceCompositeEtag(data, 5 * MiB));
    expect(new CompositeHasher(5 * MiB).digest()).toBe(`${createHash('md5').update(createHash('md5').digest()).digest('hex')}-1`);
  });
});
