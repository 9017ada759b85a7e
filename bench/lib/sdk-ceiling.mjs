// The server's own ceiling, measured with the bare AWS SDK (no sync logic): N small PUTs at a
// given concurrency, or one sequential ListObjectsV2 walk over a prefix. Also used to seed the
// download sources neutrally (plain single-part PUTs written by no tool under test).
// Usage:
//   node sdk-ceiling.mjs put  <endpoint> <bucket> <prefix> <srcDir> <concurrency>
//   node sdk-ceiling.mjs list <endpoint> <bucket> <prefix>
// Prints one JSON line: {"op":..., "seconds":..., "count":...}
import { S3Client, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import fs from 'node:fs/promises';
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

if (op === 'put') {
  const files = (await walk(srcDir)).sort();
  // Read everything first: the ceiling is the server's, not the disk's.
  const bodies = await Promise.all(files.map((f) => fs.readFile(path.join(srcDir, f))));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const i = next++;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + files[i], Body: bodies[i] }));
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
