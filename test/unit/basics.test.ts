// URIs, path safety, MD5/composite ETags, excludes: the small pieces every decision rests on.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3ObjectError, describeError, isRetryable } from '../../src/main/sync/errors';
import { Excluder } from '../../src/main/sync/exclude';
import { MiB, candidatePartSizes, cleanEtag, hashFile, multipartCount } from '../../src/main/sync/md5';
import { HashCache, racyWindowMs } from '../../src/main/sync/hash-cache';
import { RemoteKnowledge } from '../../src/main/sync/remote-cache';
import { gcBallastHeld, holdGcBallast } from '../../src/main/sync/memory';
import { resolveInside, unsafeReason } from '../../src/main/sync/paths';
import { asPrefix, parseS3Uri } from '../../src/main/sync/uri';
import { referenceCompositeEtag, tmpDir } from '../helpers';
import { partSizeFor } from '../../src/main/sync/transfer';

describe('S3 URIs', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', key: '' }],
    ['s3://bucket/', { bucket: 'bucket', key: '' }],
    ['s3://bucket/prefix/', { bucket: 'bucket', key: 'prefix/' }],
    ['s3://bucket/a/b.txt', { bucket: 'bucket', key: 'a/b.txt' }],
  ])('%s', (uri, expected) => expect(parseS3Uri(uri)).toEqual(expected));

  it.each(['bucket/key', 'http://bucket/key', 's3:/bucket', 's3://', 's3:///key', 's3://a b/key', ''])('rejects %j with a sentence', (uri) => {
    expect(() => parseS3Uri(uri)).toThrow(S3ObjectError);
    expect(() => parseS3Uri(uri)).toThrow(/s3:\/\/|bucket/);
  });

  it('makes prefixes', () => {
    expect(asPrefix('')).toBe('');
    expect(asPrefix('a')).toBe('a/');
    expect(asPrefix('a/')).toBe('a/');
  });
});

describe('path safety', () => {
  it.each([
    ['../x', '".." segment'],
    ['a/../../x', '".." segment'],
    ['./x', '"." segment'],
    ['a//b', 'empty path segment'],
    ['/etc/passwd', 'starts with "/"'],
    ['a\\b', 'backslash'],
    ['a/', 'empty path segment'],
    ['x'.repeat(256), 'longer than 255'],
  ])('refuses %j', (rel, why) => expect(unsafeReason(rel, 'linux')).toContain(why));

  it('accepts ordinary and unicode names', () => {
    for (const ok of ['a.txt', 'dir/sub/file', 'résumé.pdf', 'a b/c:d?.txt', '日本/ファイル']) expect(unsafeReason(ok, 'linux')).toBeNull();
  });

  it('knows what Windows cannot store', () => {
    expect(unsafeReason('a:b.txt', 'win32')).toMatch(/Windows/);
    expect(unsafeReason('dir/CON.txt', 'win32')).toMatch(/reserved/);
    expect(unsafeReason('trailing.', 'win32')).toMatch(/dot/);
  });

  it('resolveInside never leaves the root', () => {
    expect(resolveInside('/data/root', 'a/b')).toBe(path.resolve('/data/root/a/b'));
    expect(() => resolveInside('/data/root', '../x')).toThrow(/outside/);
  });
});

describe('MD5 and multipart ETags', () => {
  it('hashes a file once for the whole MD5 and several part sizes', async () => {
    const dir = await tmpDir();
    const body = randomBytes(12 * MiB + 7);
    await fs.writeFile(path.join(dir, 'f'), body);
    const h = await hashFile(path.join(dir, 'f'), [5 * MiB, 8 * MiB]);
    expect(h.md5).toBe(createHash('md5').update(body).digest('hex'));
    expect(h.composite[5 * MiB]).toBe(referenceCompositeEtag(body, 5 * MiB));
    expect(h.composite[8 * MiB]).toBe(referenceCompositeEtag(body, 8 * MiB));
    expect(h.composite[5 * MiB]).toMatch(/-3$/);
  });

  it.each([0, 1, MiB, MiB + 1, 33 * MiB + 5])('hashes a file of %i bytes exactly (in one read or in pieces)', async (size) => {
    const dir = await tmpDir();
    const body = randomBytes(size);
    await fs.writeFile(path.join(dir, 'f'), body);
    const h = await hashFile(path.join(dir, 'f'), [8 * MiB]);
    expect(h.md5).toBe(createHash('md5').update(body).digest('hex'));
    expect(h.size).toBe(size);
    if (size > 0) expect(h.composite[8 * MiB]).toBe(referenceCompositeEtag(body, 8 * MiB));
  });

  it.each([MiB + 1, 33 * MiB + 5])('computes composites alone when asked (%i bytes)', async (size) => {
    const dir = await tmpDir();
    const body = randomBytes(size);
    await fs.writeFile(path.join(dir, 'f'), body);
    const both = await hashFile(path.join(dir, 'f'), [5 * MiB, 8 * MiB]);
    const only = await hashFile(path.join(dir, 'f'), [5 * MiB, 8 * MiB], false);
    expect(only.md5).toBe('');
    expect(only.size).toBe(size);
    expect(only.composite).toEqual(both.composite);
    // Without part sizes there is nothing else to compute: the whole MD5 always comes back.
    expect((await hashFile(path.join(dir, 'f'), [], false)).md5).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('hash cache: a composite-only entry answers composites, never stands for an MD5', async () => {
    const dir = await tmpDir();
    const body = randomBytes(6 * MiB + 1);
    const abs = path.join(dir, 'f');
    await fs.writeFile(abs, body);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(abs, old, old);
    const st = await fs.stat(abs);
    const id = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    const data = await tmpDir();
    const cache = await HashCache.open(data, dir);
    const composites = (await hashFile(abs, [5 * MiB], false)).composite;
    cache.remember('f', id, '', composites);
    expect(cache.peek('f', id)).toBeUndefined(); // '' is "unknown", not an MD5 to send as metadata
    expect(await cache.get('f', abs, id, [5 * MiB], false)).toEqual({ md5: '', size: id.size, composite: composites });
    expect(cache.hashed).toBe(0);
    // Asked for the MD5: hashed now, and kept together with the composite it already had.
    const full = await cache.get('f', abs, id, [5 * MiB]);
    expect(full.md5).toBe(createHash('md5').update(body).digest('hex'));
    expect(cache.hashed).toBe(1);
    expect(cache.peek('f', id)).toBe(full.md5);
    await cache.save(null);
    const again = await HashCache.open(data, dir);
    expect(await again.get('f', abs, id, [5 * MiB])).toEqual({ md5: full.md5, size: id.size, composite: composites });
    expect(again.hashed).toBe(0);
    // Written as version 2 (older builds, for which '' was never "unknown", ignore it); version 1
    // files are still read.
    const file = path.join(data, 'hash-cache', (await fs.readdir(path.join(data, 'hash-cache')))[0]);
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(saved.version).toBe(2);
    await fs.writeFile(file, JSON.stringify({ ...saved, version: 1 }));
    expect((await HashCache.open(data, dir)).peek('f', id)).toBe(full.md5);
    await fs.writeFile(file, JSON.stringify({ ...saved, version: 3 }));
    expect((await HashCache.open(data, dir)).peek('f', id)).toBeUndefined();
  });

  it('remote knowledge: remembers an MD5 and/or the part size that verified a multipart ETag, per ETag', async () => {
    const data = await tmpDir();
    const k = await RemoteKnowledge.open(data, 'http://x', 'b', 'p/');
    k.learn('p/a', 'e1-3', '', 8 * MiB);
    expect(k.md5For('p/a', 'e1-3')).toBeUndefined();
    expect(k.partSizeFor('p/a', 'e1-3')).toBe(8 * MiB);
    k.learn('p/a', 'e1-3', 'abc'); // an MD5 learned later keeps the part size
    expect([k.md5For('p/a', 'e1-3'), k.partSizeFor('p/a', 'e1-3')]).toEqual(['abc', 8 * MiB]);
    expect(k.partSizeFor('p/a', 'e2-3')).toBeUndefined(); // another ETag: nothing known
    k.learn('p/b', 'e3-2', ''); // nothing to learn
    expect(k.md5For('p/b', 'e3-2')).toBeUndefined();
    await k.save(null);
    // Files written before part sizes were remembered ([etag, md5]) still load.
    const file = path.join(data, 'remote-cache', (await fs.readdir(path.join(data, 'remote-cache')))[0]);
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(saved.rows).toEqual({ 'p/a': ['e1-3', 'abc', 8 * MiB] });
    saved.rows['p/old'] = ['e4-2', 'def'];
    saved.rows['p/bad'] = ['e5-2', '', 0];
    await fs.writeFile(file, JSON.stringify(saved));
    const k2 = await RemoteKnowledge.open(data, 'http://x', 'b', 'p/');
    expect([k2.md5For('p/old', 'e4-2'), k2.partSizeFor('p/old', 'e4-2')]).toEqual(['def', undefined]);
    expect(k2.partSizeFor('p/a', 'e1-3')).toBe(8 * MiB);
    expect(k2.md5For('p/bad', 'e5-2')).toBeUndefined();
  });

  it('GC ballast: held while any large download runs, released by the last one, each release counted once', () => {
    expect(gcBallastHeld()).toBe(false);
    const a = holdGcBallast();
    const b = holdGcBallast();
    expect(gcBallastHeld()).toBe(true);
    a();
    a(); // a second release of the same hold changes nothing
    expect(gcBallastHeld()).toBe(true);
    b();
    expect(gcBallastHeld()).toBe(false);
  });

  it('racy window: 2 s for whole-second mtimes, half a second for fine-grained ones', () => {
    expect(racyWindowMs(1_700_000_000_000)).toBe(2000);
    expect(racyWindowMs(1_700_000_000_000.123)).toBe(500);
    expect(racyWindowMs(1_700_000_000_250)).toBe(500);
  });

  it('derives candidate part sizes from the part count, the implied size first', () => {
    expect(candidatePartSizes(17 * MiB, 3)[0]).toBe(6 * MiB);
    expect(candidatePartSizes(17 * MiB, 3)).toContain(8 * MiB);
    expect(candidatePartSizes(17 * MiB, 3)).not.toContain(5 * MiB); // 5 MiB would give 4 parts
    expect(candidatePartSizes(100 * MiB, 2)).toEqual([50 * MiB, 64 * MiB]);
  });

  it('reads ETags', () => {
    expect(cleanEtag('"ABCDEF0123456789abcdef0123456789"')).toBe('abcdef0123456789abcdef0123456789');
    expect(multipartCount('abcdef0123456789abcdef0123456789-12')).toBe(12);
    expect(multipartCount('abcdef0123456789abcdef0123456789')).toBeNull();
  });
});

describe('excludes', () => {
  it('match the path relative to the folder, with / separators (seed defect 4)', () => {
    const ex = new Excluder(['^sub/', '\\.tmp$']);
    expect(ex.excludes('sub/a.txt')).toBe(true);
    expect(ex.excludes('other/sub/a.txt')).toBe(false);
    expect(ex.excludes('x.tmp')).toBe(true);
    expect(ex.excludes('x.tmpl')).toBe(false);
  });
  it('prune folders that match with a trailing slash, on both sides alike', () => {
    const ex = new Excluder(['^build/$']);
    expect(ex.excludesDir('build')).toBe(true);
    expect(ex.excludes('build/out.js')).toBe(true); // remote keys agree with the pruned scan
  });
  it('rejects an invalid pattern with a sentence', () => {
    expect(() => new Excluder(['('])).toThrow(/not a valid regular expression/);
  });
});

describe('errors', () => {
  it('gives distinct clear sentences', () => {
    const aws = (name: string, status: number) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });
    expect(describeError(aws('NoSuchBucket', 404), { bucket: 'b' })).toMatch(/bucket "b" does not exist/);
    expect(describeError(aws('AccessDenied', 403))).toMatch(/Access denied/);
    expect(describeError(aws('InvalidAccessKeyId', 403))).toMatch(/access key/);
    expect(describeError(aws('SignatureDoesNotMatch', 403))).toMatch(/secret key/);
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatch(/refused/);
  });
  it('retries throttling, 5xx and network errors, never other 4xx', () => {
    const aws = (name: string, status: number) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status } });
    expect(isRetryable(aws('SlowDown', 503))).toBe(true);
    expect(isRetryable(aws('InternalError', 500))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(aws('AccessDenied', 403))).toBe(false);
    expect(isRetryable(aws('NoSuchKey', 404))).toBe(false);
  });
});

describe('part sizes for very large files', () => {
  it('stay within 10,000 parts', async () => {

    expect(partSizeFor(100 * MiB, 16 * MiB)).toBe(16 * MiB);
    const huge = 500 * 1024 * MiB; // 500 GiB
    const p = partSizeFor(huge, 16 * MiB);
    expect(Math.ceil(huge / p)).toBeLessThanOrEqual(10_000);
    expect(p % MiB).toBe(0);
    const sixGiB = 6 * 1024 * MiB; // above the 5 GiB single-PUT limit: parts, within limits
    expect(Math.ceil(sixGiB / partSizeFor(sixGiB, 16 * MiB))).toBe(384);
  });
});
