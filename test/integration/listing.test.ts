// Listing: full pagination, and the parallel ranges cut at local keys give exactly the same set
// as one sequential listing — whatever the boundaries, and in S3's byte order for any Unicode.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { cleanEtag } from '../../src/main/sync/md5';
import { compareKeys, listAll, listPageStats, type RemoteObject } from '../../src/main/sync/s3';
import { newBucket, putObject, rawClient } from '../helpers';

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
});
