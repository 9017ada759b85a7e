// Listing: full pagination, and the parallel ranges cut at local keys give exactly the same set
// as one sequential listing — whatever the boundaries, and in S3's byte order for any Unicode.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { cleanEtag } from '../../src/main/sync/md5';
import { compareKeys, listAll, listPageStats, type RemoteObject } from '../../src/main/sync/s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { rangeCuts } from '../../src/main/sync/engine';
import { engineFor, newBucket, putObject, rawClient, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;
const prefix = `list-${randomBytes(3).toString('hex')}/`;
const names = [
  ...Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(3, '0')}.txt`),
  'a/b/c.txt',
  'a/b.txt',
  'Z-upper.txt',
  'ÿ-latin.txt',
  '\uff01-fullwidth.txt', // U+FF01: after surrogates in UTF-16, before them in UTF-8
  '\u{1f600}-emoji.txt', // a surrogate pair in UTF-16, 4 bytes in UTF-8
  '日本/ファイル.txt',
  'xml & <markup> "quoted" \'apos\'.txt',
  ' leading and trailing space ',
  'tab\there.txt',
  'amp-&amp;-literally.txt',
  '#x41;-&#65;.txt',
  'dir/', // a folder marker: never listed as a file
];

beforeAll(async () => {
  bucket = await newBucket(client);
  await Promise.all(names.map((n) => putObject(client, bucket, prefix + n, n.endsWith('/') ? '' : n)));
});
afterAll(() => client.destroy());

describe('listing', () => {
  it('lists every object under the prefix, folder markers left out', async () => {
    const all = await listAll(client, bucket, prefix);
    expect(all.map((o) => o.key.slice(prefix.length)).sort()).toEqual(names.filter((n) => !n.endsWith('/')).sort());
  });

  it('parallel ranges give exactly the sequential result, for any boundaries', async () => {
    const sequential = (await listAll(client, bucket, prefix)).map((o) => o.key);
    const keys = [...sequential].sort(compareKeys);
    const cases: string[][] = [
      [keys[5], keys[20], keys[30]],
      [keys[0]],
      [keys[keys.length - 1]],
      keys, // every key a boundary
      [`${prefix}f010.txt-missing`, `${prefix}m-not-there`, `${prefix}\u{1f600}`, `${prefix}\uff01`],
      [`${prefix}`, `${prefix}zzzz`],
      ['outside-the-prefix'],
    ];
    for (const cuts of cases) {
      const parallel = (await listAll(client, bucket, prefix, undefined, false, cuts)).map((o) => o.key);
      expect(parallel, JSON.stringify(cuts)).toEqual(sequential);
    }
  });

  it('reads every page itself, and exactly as the SDK would', async () => {
    listPageStats.fast = 0;
    listPageStats.sdk = 0;
    const ours = await listAll(client, bucket, prefix, undefined, true);
    expect(listPageStats).toEqual({ fast: 1, sdk: 0 });
    const sdk: RemoteObject[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 7 }));
      for (const o of page.Contents ?? []) sdk.push({ key: o.Key!, size: o.Size!, etag: cleanEtag(o.ETag), lastModified: o.LastModified!.getTime() });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    sdk.sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(ours).toEqual(sdk);
    expect(ours.length).toBe(names.length);
  });

  it('orders keys as S3 does, by UTF-8 bytes', () => {
    expect(compareKeys('\uff01', '\u{1f600}')).toBeLessThan(0); // UTF-16 order would say the opposite
    expect('\uff01' < '\u{1f600}').toBe(false);
  });

  it('starts the next listing with the cuts the last one left, and stale cuts still list everything', async () => {
    const local = await tmpDir('local');
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i % 3}/f${i}.txt`, `file ${i}`]));
    await writeTree(local, files);
    const remote = `s3://${bucket}/cuts-${randomBytes(3).toString('hex')}/`;
    const data = await tmpDir('d');
    const engine = engineFor(data);
    expect((await engine.sync({ direction: 'push', localPath: local, remote })).ok).toBe(true);
    const dir = path.join(data, 'remote-cache');
    const file = path.join(dir, (await fs.readdir(dir))[0]);
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(saved.listing).toEqual({ count: 30, cuts: [] }); // small: one range, listed alongside the scan
    // Cuts from another time — keys that are gone, outside the prefix, out of order: any cuts
    // give the complete listing; they only decide how it is split.
    const prefix = remote.slice(`s3://${bucket}/`.length);
    saved.listing = { count: 30, cuts: [`${prefix}zzz`, `${prefix}d1/f4.txt-gone`, 'elsewhere/x', `${prefix}`] };
    await fs.writeFile(file, JSON.stringify(saved));
    const { plan, run } = await engineFor(data).prepare({ direction: 'push', localPath: local, remote });
    expect(plan.operations).toEqual([]);
    expect(plan.counts.unchanged).toBe(30);
    await run();
    expect(JSON.parse(await fs.readFile(file, 'utf8')).listing).toEqual({ count: 30, cuts: [] });
    engine.close();
  });

  it('cuts a large listing into whole pages, in S3 order', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `p/${String(i).padStart(5, '0')}`);
    const cuts = rangeCuts(keys);
    expect(cuts.length).toBe(10); // 11 ranges of at most 990 keys: one page each
    expect(cuts[0]).toBe('p/00990');
    expect(rangeCuts(keys.slice(0, 2000))).toEqual([]);
    expect(rangeCuts(['p/\uff01', 'p/\u{1f600}', ...keys]).every((c, i, a) => i === 0 || compareKeys(a[i - 1], c) < 0)).toBe(true);
  });
});
