// Direct requests (src/main/sync/direct.ts) against the real S3 server: the route comes from the
// SDK's own listing, objects written and read directly are byte- and metadata-identical to the
// SDK's, tricky keys encode as the SDK encodes them, and anything but success is repeated through
// the SDK.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directGet, directHead, directPut, directRoute, directStats, encodeKey, routeOf } from '../../src/main/sync/direct';
import { createS3Client, headObject, listAll } from '../../src/main/sync/s3';
import { startFaultProxy } from '../faults/proxy';
import { engineFor, newBucket, rawClient, readTree, s3env, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;

beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

async function bodyOf(b: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of b as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const md5b64 = (b: Buffer) => createHash('md5').update(b).digest('base64');

// Keys whose encoding differs between naive and S3's rules: space, plus, percent, the characters
// encodeURIComponent leaves alone (!'()*), unicode, a leading slash, doubled slashes, a tilde.
const TRICKY = ['plain.txt', 'with space.txt', 'a+b=c&d.txt', '100%.txt', "it's (really)*!.txt", 'ünï/cödé 日本.txt', '/leading', 'double//slash', 'tilde~x', 'semi;colon,comma@at$dollar'];

describe('direct requests', () => {
  it('are used only once a listing of the bucket taught the route, and the route is the SDK’s', async () => {
    const fresh = rawClient();
    const other = await newBucket(fresh);
    expect(directRoute(fresh, other)).toBeUndefined();
    expect(await directGet(fresh, { Bucket: other, Key: 'x' })).toBeNull(); // no route: the SDK's turn
    await listAll(fresh, other, '');
    const route = directRoute(fresh, other)!;
    const e = new URL(s3env().endpoint);
    expect(route).toMatchObject({ protocol: e.protocol, hostname: e.hostname, host: e.host, basePath: `/${other}`, region: s3env().region });
    fresh.destroy();
  });

  it('write and read tricky keys exactly as the SDK does (same bytes, ETag, metadata, key)', async () => {
    await listAll(client, bucket, '');
    const before = { ...directStats };
    for (const [i, key] of TRICKY.entries()) {
      const body = randomBytes(100 + i);
      const put = await directPut(client, { Bucket: bucket, Key: `d/${key}`, Body: body, ContentMD5: md5b64(body), Metadata: { 's3lync-md5': 'abc' } });
      expect(put, key).not.toBeNull();
      expect(put!.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
      // The SDK reads back what was written directly...
      const viaSdk = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `d/${key}` }));
      expect(Buffer.from(await viaSdk.Body!.transformToByteArray()).equals(body), key).toBe(true);
      expect(viaSdk.Metadata).toEqual({ 's3lync-md5': 'abc' });
      // ...and direct reads see what the SDK wrote.
      const sdkBody = randomBytes(50 + i);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `s/${key}`, Body: sdkBody, Metadata: { 's3lync-md5': 'def' } }));
      const got = await directGet(client, { Bucket: bucket, Key: `s/${key}` });
      expect(got, key).not.toBeNull();
      expect((await bodyOf(got!.Body)).equals(sdkBody), key).toBe(true);
      expect(got!.Metadata).toEqual({ 's3lync-md5': 'def' });
      expect(got!.ContentLength).toBe(sdkBody.length);
      const head = await directHead(client, { Bucket: bucket, Key: `s/${key}` });
      const sdkHead = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `s/${key}` }));
      expect(head).toMatchObject({ ContentLength: sdkHead.ContentLength, ETag: sdkHead.ETag, Metadata: sdkHead.Metadata });
      expect(head!.LastModified?.getTime()).toBe(sdkHead.LastModified?.getTime());
    }
    // Every one of those went direct: none was refused (a refused one would mean our encoding or
    // signing disagrees with the server's).
    expect(directStats.fallback - before.fallback).toBe(0);
    expect(directStats.direct - before.direct).toBe(TRICKY.length * 3);
    // The listing shows exactly the keys written.
    const keys = (await listAll(client, bucket, 'd/')).map((o) => o.key.slice(2)).sort();
    expect(keys).toEqual([...TRICKY].sort());
  });

  it('encode keys as the SDK puts them on the wire', async () => {
    const paths: string[] = [];
    const spy = createS3Client({ endpoint: s3env().endpoint, pathStyle: true, region: s3env().region, credentials: { accessKeyId: s3env().accessKeyId, secretAccessKey: s3env().secretAccessKey } });
    spy.middlewareStack.add(
      (next) => async (args) => {
        paths.push((args.request as { path: string }).path);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'spy' },
    );
    for (const key of TRICKY) await spy.send(new HeadObjectCommand({ Bucket: bucket, Key: `d/${key}` }));
    expect(paths).toEqual(TRICKY.map((k) => `/${bucket}/${encodeKey(`d/${k}`)}`));
    spy.destroy();
  });

  it('ranged and If-Match GETs; a changed object is the SDK’s to report (412)', async () => {
    await listAll(client, bucket, '');
    const body = randomBytes(1000);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'r.bin', Body: body }));
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    const part = await directGet(client, { Bucket: bucket, Key: 'r.bin', Range: 'bytes=100-199', IfMatch: etag });
    expect(part!.ContentRange).toBe('bytes 100-199/1000');
    expect((await bodyOf(part!.Body)).equals(body.subarray(100, 200))).toBe(true);
    const before = directStats.fallback;
    expect(await directGet(client, { Bucket: bucket, Key: 'r.bin', IfMatch: '"00000000000000000000000000000000"' })).toBeNull();
    expect(directStats.fallback).toBe(before + 1);
    expect(directRoute(client, bucket)).toBeDefined(); // a precondition failure says nothing about the route
    // A missing object: HEAD falls back and the SDK answers "not there" as before.
    expect(await headObject(client, bucket, 'missing-object')).toBeNull();
  });

  it('are off with S3LYNC_DIRECT=0', async () => {
    process.env.S3LYNC_DIRECT = '0';
    try {
      const off = rawClient();
      await listAll(off, bucket, '');
      expect(directRoute(off, bucket)).toBeUndefined();
      off.destroy();
    } finally {
      delete process.env.S3LYNC_DIRECT;
    }
  });

  it('carry a whole sync of small files both ways, and every file arrives intact', async () => {
    const src = await tmpDir('src');
    const tree = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f/${i}.txt`, randomBytes(200 + i).toString('base64')]));
    await writeTree(src, tree);
    const engine = engineFor(await tmpDir('d'));
    const before = { ...directStats };
    const up = await engine.sync({ direction: 'push', localPath: src, remote: `s3://${bucket}/sync/` });
    expect(up.ok).toBe(true);
    const dst = await tmpDir('dst');
    const down = await engine.sync({ direction: 'pull', localPath: dst, remote: `s3://${bucket}/sync/` });
    expect(down.ok).toBe(true);
    expect(await readTree(dst)).toEqual(await readTree(src));
    expect(directStats.direct - before.direct).toBe(80); // 40 PUTs + 40 GETs, no SDK call among them
    expect(directStats.fallback - before.fallback).toBe(0);
    engine.close();
  });

  it('fall back to the SDK (and its retries) when the server errs or the connection breaks', async () => {
    const proxy = await startFaultProxy(s3env().endpoint);
    try {
      const src = await tmpDir('src');
      const tree = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${i}.bin`, randomBytes(300 + i).toString('hex')]));
      await writeTree(src, tree);
      const engine = engineFor(await tmpDir('d'), { endpoint: proxy.endpoint });
      const prepared = await engine.prepare({ direction: 'push', localPath: src, remote: `s3://${bucket}/faulty/` });
      proxy.setFaults({ error500: 0.2, reset: 0.1, slowdown: 0.1 }, 5);
      const before = directStats.fallback;
      const up = await prepared.run();
      proxy.setFaults({}, 1);
      expect(up.ok).toBe(true);
      expect(directStats.fallback - before).toBeGreaterThan(0);
      const dst = await tmpDir('dst');
      const p2 = await engine.prepare({ direction: 'pull', localPath: dst, remote: `s3://${bucket}/faulty/` });
      proxy.setFaults({ error500: 0.2, reset: 0.1, slowdown: 0.1 }, 9);
      const down = await p2.run();
      proxy.setFaults({}, 1);
      expect(down.ok).toBe(true);
      expect(await readTree(dst)).toEqual(await readTree(src));
      expect((await fs.readdir(dst)).filter((n) => n.includes('s3lync'))).toEqual([]); // no temp files
      engine.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('routeOf', () => {
  const auth = (region: string) => `AWS4-HMAC-SHA256 Credential=AKID/20261126/${region}/s3/aws4_request, SignedHeaders=host, Signature=abc`;
  it('reads path-style, virtual-hosted and custom-path routes, and the signing region', () => {
    expect(routeOf({ protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: '/b/', headers: { host: '127.0.0.1:9000', authorization: auth('us-east-1') } })).toEqual({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      host: '127.0.0.1:9000',
      basePath: '/b',
      region: 'us-east-1',
    });
    expect(routeOf({ protocol: 'https:', hostname: 'b.s3.eu-west-3.amazonaws.com', path: '/', headers: { host: 'b.s3.eu-west-3.amazonaws.com', authorization: auth('eu-west-3') } })).toMatchObject({ basePath: '', region: 'eu-west-3' });
    expect(routeOf({ protocol: 'https:', hostname: 'gw.example', path: '/s3/b/', headers: { host: 'gw.example', authorization: auth('x') } })).toMatchObject({ basePath: '/s3/b' });
  });
  it('refuses what it cannot reproduce: no SigV4, SigV4a, no Host, a path not ending in /', () => {
    const base = { protocol: 'https:', hostname: 'h', path: '/b/', headers: { host: 'h', authorization: auth('r') } };
    expect(routeOf({ ...base, headers: { host: 'h' } })).toBeNull();
    expect(routeOf({ ...base, headers: { host: 'h', authorization: 'AWS4-ECDSA-P256-SHA256 Credential=AKID/20261126/s3/aws4_request, SignedHeaders=host, Signature=a' } })).toBeNull();
    expect(routeOf({ ...base, headers: { authorization: auth('r') } })).toBeNull();
    expect(routeOf({ ...base, path: '/b' })).toBeNull();
    expect(routeOf({ ...base, protocol: 'ftp:' })).toBeNull();
  });
});

