// Direct requests (src/main/sync/direct.ts) against the real S3 server: the route comes from the
// SDK's own listing, objects written and read directly are byte- and metadata-identical to the
// SDK's, tricky keys encode as the SDK encodes them, and anything but success is repeated through
// the SDK.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directGet, directHead, directPut, directRoute, directStats, encodeKey, routeOf, type DirectResult } from '../../src/main/sync/direct';
import type { S3Client } from '@aws-sdk/client-s3';
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

/** The answer of a direct call that must have been answered directly. */
function value<T>(r: DirectResult<T>): T {
  if (!r.ok) throw new Error(`not answered directly (sent: ${r.sent})`);
  return r.value;
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
    expect(await directGet(fresh, { Bucket: other, Key: 'x' })).toEqual({ ok: false, sent: false }); // no route: the SDK's turn
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
      const put = value(await directPut(client, { Bucket: bucket, Key: `d/${key}`, Body: body, ContentMD5: md5b64(body), Metadata: { 's3lync-md5': 'abc' } }));
      expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
      // The SDK reads back what was written directly...
      const viaSdk = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `d/${key}` }));
      expect(Buffer.from(await viaSdk.Body!.transformToByteArray()).equals(body), key).toBe(true);
      expect(viaSdk.Metadata).toEqual({ 's3lync-md5': 'abc' });
      // ...and direct reads see what the SDK wrote.
      const sdkBody = randomBytes(50 + i);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `s/${key}`, Body: sdkBody, Metadata: { 's3lync-md5': 'def' } }));
      const got = value(await directGet(client, { Bucket: bucket, Key: `s/${key}` }));
      expect((await bodyOf(got.Body)).equals(sdkBody), key).toBe(true);
      expect(got.Metadata).toEqual({ 's3lync-md5': 'def' });
      expect(got.ContentLength).toBe(sdkBody.length);
      const head = value(await directHead(client, { Bucket: bucket, Key: `s/${key}` }));
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
    for (const key of TRICKY) await client.send(new PutObjectCommand({ Bucket: bucket, Key: `d/${key}`, Body: 'x' }));
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
    const part = value(await directGet(client, { Bucket: bucket, Key: 'r.bin', Range: 'bytes=100-199', IfMatch: etag }));
    expect(part.ContentRange).toBe('bytes 100-199/1000');
    expect((await bodyOf(part.Body)).equals(body.subarray(100, 200))).toBe(true);
    const before = { ...directStats };
    expect(await directGet(client, { Bucket: bucket, Key: 'r.bin', IfMatch: '"00000000000000000000000000000000"' })).toEqual({ ok: false, sent: true });
    expect(directStats.fallback).toBe(before.fallback + 1);
    expect(directRoute(client, bucket)).toBeDefined(); // a precondition failure says nothing about the route
    // ...and through the engine's GET it is the SDK's 412: "changed on S3".
    // A missing object: a direct HEAD answers "not there" (404 on a route a listing taught).
    expect(value(await directHead(client, { Bucket: bucket, Key: 'missing-object' }))).toBeNull();
    expect(await headObject(client, bucket, 'missing-object')).toBeNull();
    expect(directStats.fallback).toBe(before.fallback + 1);
    expect(directRoute(client, bucket)).toBeDefined();
    // An empty key would address the bucket itself: never sent directly.
    expect(await directHead(client, { Bucket: bucket, Key: '' })).toEqual({ ok: false, sent: false });
  });

  it('are off with S3LYNC_DIRECT=0', async () => {
    process.env.S3LYNC_DIRECT = '0';
    try {
      const off = rawClient();
      await listAll(off, bucket, '');
      expect(directRoute(off, bucket)).toBeUndefined();
      off.destroy();
      const src = await tmpDir('off');
      await writeTree(src, { 'a.txt': 'a', 'b.txt': 'b' });
      const engine = engineFor(await tmpDir('d'));
      const before = { ...directStats };
      expect((await engine.sync({ direction: 'push', localPath: src, remote: `s3://${bucket}/off/` })).ok).toBe(true);
      expect((await engine.sync({ direction: 'pull', localPath: await tmpDir('off-dst'), remote: `s3://${bucket}/off/` })).ok).toBe(true);
      expect(directStats).toEqual(before);
      engine.close();
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

/**
 * A loopback proxy in front of the real server that misbehaves for chosen keys: `lie-*` PUTs get
 * 200 with an error document and no ETag (some gateways do this), `moved-*` a 301, `denied-*` a
 * 403 SignatureDoesNotMatch, `slow-*` an answer only after 2 s. Everything else passes through.
 */
async function misbehavingProxy(upstream: string) {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const xml = (status: number, code: string, extra: Record<string, string> = {}) => {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), ...extra });
      res.end(body);
    };
    const pass = () => {
      const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    };
    const after = (fn: () => void) => req.on('end', fn).resume();
    if (url.includes('/lie-') && req.method === 'PUT') return void after(() => xml(200, 'InternalError'));
    if (url.includes('/moved-')) return void after(() => xml(301, 'PermanentRedirect'));
    if (url.includes('/denied-')) return void after(() => xml(403, 'SignatureDoesNotMatch'));
    if (url.includes('/slow-')) return void after(() => setTimeout(() => xml(503, 'SlowDown'), 2000));
    pass();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }) };
}

describe('direct requests against a misbehaving server', () => {
  const e = s3env();
  const through = (endpoint: string) => createS3Client({ endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 2 });

  /** A client whose requests pass the misbehaving proxy, for the length of `fn`. */
  async function withMisbehaving(fn: (c: S3Client) => Promise<void>): Promise<void> {
    const proxy = await misbehavingProxy(e.endpoint);
    const c = through(proxy.endpoint);
    try {
      await listAll(c, bucket, '');
      await fn(c);
    } finally {
      c.destroy();
      await proxy.close();
    }
  }

  it('never take a 200 without an ETag (an error document) for a stored upload; the upload fails clearly', async () => {
    await withMisbehaving(async (c) => {
      const body = Buffer.from('not stored');
      expect(await directPut(c, { Bucket: bucket, Key: 'lie-1.txt', Body: body, ContentMD5: md5b64(body), Metadata: {} })).toEqual({ ok: false, sent: true });
      const src = await tmpDir('lie');
      await writeTree(src, { 'lie-2.txt': 'never stored', 'fine.txt': 'stored' });
      const engine = engineFor(await tmpDir('d'), { client: c });
      const r = await engine.sync({ direction: 'push', localPath: src, remote: `s3://${bucket}/liar/` });
      expect(r.ok).toBe(false);
      expect(r.failed.map((f) => f.operation.path)).toEqual(['lie-2.txt']);
      expect(r.failed[0].message).not.toMatch(/\n\s+at /); // a sentence, not a stack trace
      expect((await listAll(client, bucket, 'liar/')).map((o) => o.key)).toEqual(['liar/fine.txt']);
      engine.close();
    });
  });

  it('forget the route on a redirect, and after three refusals in a row; a listing teaches it again', async () => {
    await withMisbehaving(async (c) => {
      expect(await directHead(c, { Bucket: bucket, Key: 'moved-x' })).toEqual({ ok: false, sent: true });
      expect(directRoute(c, bucket)).toBeUndefined();
      await listAll(c, bucket, '');
      expect(directRoute(c, bucket)).toBeDefined();
      for (let i = 0; i < 2; i++) expect(await directHead(c, { Bucket: bucket, Key: `denied-${i}` })).toEqual({ ok: false, sent: true });
      expect(directRoute(c, bucket)).toBeDefined(); // one object refused is not the route's fault...
      expect(await directHead(c, { Bucket: bucket, Key: 'denied-2' })).toEqual({ ok: false, sent: true });
      expect(directRoute(c, bucket)).toBeUndefined(); // ...three in a row are
      await listAll(c, bucket, '');
      await directHead(c, { Bucket: bucket, Key: 'denied-3' });
      await directHead(c, { Bucket: bucket, Key: 'denied-4' });
      await directHead(c, { Bucket: bucket, Key: 'plain.txt' }); // a success in between resets the count
      await directHead(c, { Bucket: bucket, Key: 'denied-5' });
      expect(directRoute(c, bucket)).toBeDefined();
    });
  });

  it('stop at once when the sync is cancelled mid-request', async () => {
    await withMisbehaving(async (c) => {
      const cancel = new AbortController();
      const started = Date.now();
      setTimeout(() => cancel.abort(), 100);
      expect(await directGet(c, { Bucket: bucket, Key: 'slow-1' }, cancel.signal)).toEqual({ ok: false, sent: true });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await directGet(c, { Bucket: bucket, Key: 'slow-2' }, cancel.signal)).toEqual({ ok: false, sent: false });
    });
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

