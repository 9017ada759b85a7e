// The server's own ceiling, measured with the bare AWS SDK (no sync logic): N small PUTs at a
// given concurrency, or one sequential ListObjectsV2 walk over a prefix. Also used to seed the
// download sources neutrally (plain single-part PUTs written by no tool under test).
// With `put-raw`, the same PUTs without the SDK at all: SigV4 written out here (node:crypto) over
// node:http keep-alive sockets, one Content-MD5 each — what the server accepts from a client that
// spends almost no CPU per request (the SDK's command stack costs ~1 ms of CPU per call, on cores
// the server shares).
// Usage:
//   node sdk-ceiling.mjs put  <endpoint> <bucket> <prefix> <srcDir> <concurrency>
//   node sdk-ceiling.mjs put-raw <endpoint> <bucket> <prefix> <srcDir> <concurrency>
//   node sdk-ceiling.mjs list <endpoint> <bucket> <prefix>
// Prints one JSON line: {"op":..., "seconds":..., "count":...}
import { S3Client, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import fs from 'node:fs/promises';
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [op, endpoint, bucket, prefix, srcDir, concArg] = process.argv.slice(2);
const concurrency = Number(concArg ?? 16);
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(64, concurrency * 2) }) }),
});

async function walk(dir, rel = '') {
  const out = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

if (op === 'put' || op === 'put-raw') {
  const files = (await walk(srcDir)).sort();
  // Read everything first: the ceiling is the server's, not the disk's.
  const bodies = await Promise.all(files.map((f) => fs.readFile(path.join(srcDir, f))));
  const raw = op === 'put-raw' ? rawPutter(endpoint, bucket) : null;
  const put = raw ?? ((key, body) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const i = next++;
        await put(prefix + files[i], bodies[i]);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ op, concurrency, count: files.length, seconds, perSecond: files.length / seconds }));
} else if (op === 'list') {
  const t0 = performance.now();
  let token;
  let count = 0;
  let pages = 0;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
    count += r.KeyCount ?? r.Contents?.length ?? 0;
    pages++;
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ op, count, pages, seconds }));
} else {
  console.error('usage: sdk-ceiling.mjs put|list ...');
  process.exit(2);
}
client.destroy();

/** PUT with SigV4 by hand (path-style, region us-east-1), over keep-alive sockets; rejects on non-200. */
function rawPutter(endpointUrl, bucketName) {
  const u = new URL(endpointUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const ak = process.env.AWS_ACCESS_KEY_ID;
  const sk = process.env.AWS_SECRET_ACCESS_KEY;
  const region = 'us-east-1';
  const hmac = (k, v) => crypto.createHmac('sha256', k).update(v).digest();
  const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
  const enc = (k) =>
    k
      .split('/')
      .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
      .join('/');
  let day = '';
  let key;
  return (objectKey, body) => {
    const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    if (now.slice(0, 8) !== day) {
      day = now.slice(0, 8);
      key = hmac(hmac(hmac(hmac(`AWS4${sk}`, day), region), 's3'), 'aws4_request');
    }
    const pathname = `/${bucketName}/${enc(objectKey)}`;
    const headers = {
      'content-length': String(body.length),
      'content-md5': crypto.createHash('md5').update(body).digest('base64'),
      host: u.host,
      'x-amz-content-sha256': sha(body),
      'x-amz-date': now,
    };
    const names = Object.keys(headers).sort();
    const canonical = ['PUT', pathname, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), headers['x-amz-content-sha256']].join('\n');
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', now, scope, sha(canonical)].join('\n');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${ak}/${scope}, SignedHeaders=${names.join(';')}, Signature=${crypto.createHmac('sha256', key).update(toSign).digest('hex')}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: pathname, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${objectKey}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
