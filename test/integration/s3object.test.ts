// The library API with the seed's shape.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashMismatchError, S3Object, SyncError, S3ObjectError } from '../../src/main/lib';
import { createHash } from 'node:crypto';
import { getText, newBucket, putObject, rawClient, s3env, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;
let dataDir: string;
beforeAll(async () => {
  bucket = await newBucket(client);
  dataDir = await tmpDir('data');
});
afterAll(() => client.destroy());

function obj(key: string, localPath?: string) {
  const e = s3env();
  return new S3Object(`s3://${bucket}/${key}`, {
    localPath,
    endpoint: e.endpoint,
    pathStyle: true,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    dataDir,
  });
}
const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;

describe('S3Object', () => {
  it('uploads, checks existence, downloads and deletes a file', async () => {
    const dir = await tmpDir('lib');
    const key = `${uniq('f')}/file.txt`;
    await writeTree(dir, { 'file.txt': 'hello' });
    const o = obj(key, path.join(dir, 'file.txt'));
    expect(await o.exists()).toBe(false);
    expect(await o.upload()).toBe(`s3://${bucket}/${key}`);
    expect(await o.exists()).toBe(true);
    const copy = obj(key, path.join(dir, 'copy.txt'));
    expect(await copy.download()).toBe(path.join(dir, 'copy.txt'));
    expect(await fs.readFile(copy.localPath, 'utf8')).toBe('hello');
    expect(await o.delete()).toBe(true);
    expect(await o.exists()).toBe(false);
    expect(await o.delete()).toBe(false);
  });

  it('defaults localPath to the cache folder', () => {
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = '/tmp/xdg-cache';
    try {
      expect(obj('a/b.txt').localPath).toBe(`/tmp/xdg-cache/s3lync/${bucket}/a/b.txt`);
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
    }
  });

  it('downloading a missing key is an error, never a silent success (seed defect 9)', async () => {
    const dir = await tmpDir('lib');
    await expect(obj(`${uniq('missing')}/nothing.txt`, path.join(dir, 'x')).download()).rejects.toBeInstanceOf(SyncError);
    expect(() => new S3Object('not a uri')).toThrow(S3ObjectError);
  });

  it('raises HashMismatchError as itself (seed defect 7) and leaves no corrupt file', async () => {
    const dir = await tmpDir('lib');
    const key = `${uniq('bad')}/bad.txt`;
    await putObject(client, bucket, key, 'these bytes', { 's3lync-md5': createHash('md5').update('other bytes').digest('hex') });
    const o = obj(key, path.join(dir, 'bad.txt'));
    await expect(o.download()).rejects.toBeInstanceOf(HashMismatchError);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('open("a") appends to the remote content instead of replacing it (seed defect 8)', async () => {
    const dir = await tmpDir('lib');
    const key = `${uniq('log')}/app.log`;
    await putObject(client, bucket, key, 'line 1\n');
    const o = obj(key, path.join(dir, 'app.log'));
    {
      await using f = await o.open('a');
      await f.write('line 2\n');
    }
    expect(await getText(client, bucket, key)).toBe('line 1\nline 2\n');
  });

  it('open("w") with a callback does not upload when the callback throws (seed defect 8)', async () => {
    const dir = await tmpDir('lib');
    const key = `${uniq('w')}/w.txt`;
    await putObject(client, bucket, key, 'original');
    const o = obj(key, path.join(dir, 'w.txt'));
    await expect(
      o.open('w', async (f) => {
        await f.write('half-written');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await getText(client, bucket, key)).toBe('original');
    await o.open('w', async (f) => f.write('complete'));
    expect(await getText(client, bucket, key)).toBe('complete');
  });

  it('open("r") downloads first; await using closes it', async () => {
    const dir = await tmpDir('lib');
    const key = `${uniq('r')}/r.txt`;
    await putObject(client, bucket, key, 'read me');
    const o = obj(key, path.join(dir, 'r.txt'));
    await using f = await o.open('r');
    expect(await f.readText()).toBe('read me');
  });

  it('upload and download folders with exclude and forceSync', async () => {
    const src = await tmpDir('lib');
    const prefix = `${uniq('dir')}/`;
    await writeTree(src, { 'a.txt': 'a', 'b.tmp': 'b' });
    await obj(prefix, src).upload({ exclude: '\\.tmp$' });
    const dst = await tmpDir('lib');
    await writeTree(dst, { 'stale.txt': 'old' });
    await obj(prefix, dst).download({ forceSync: true });
    expect((await fs.readdir(dst)).sort()).toEqual(['a.txt']);
  });
});
