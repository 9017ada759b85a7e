#!/usr/bin/env node
// Part size × parts in flight for one large upload: the figures behind s3lync's defaults
// (16 MiB parts, 8 in flight) against the SDK's (5 MiB × 4). Uploads one generated file
// (BENCH_PART_FILE_MIB, default 1024) with the built engine (dist/) to the test S3 server
// (scripts/s3-server.sh) unless S3LYNC_TEST_ENDPOINT is set; 2 rounds, alternating, medians.
// Run after `npm run build:engine`: `npm run bench:parts`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CreateBucketCommand } from '@aws-sdk/client-s3';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { SyncEngine } = require(path.join(root, 'dist', 'main', 'sync', 'engine.js'));
const { createS3Client } = require(path.join(root, 'dist', 'main', 'sync', 's3.js'));

let endpoint = process.env.S3LYNC_TEST_ENDPOINT;
if (!endpoint) endpoint = /endpoint=(\S+)/.exec(execFileSync('bash', [path.join(root, 'scripts', 's3-server.sh'), 'start'], { encoding: 'utf8' }))[1];
const credentials = { accessKeyId: process.env.S3LYNC_TEST_ACCESS_KEY_ID ?? 'test:tester', secretAccessKey: process.env.S3LYNC_TEST_SECRET_ACCESS_KEY ?? 'testing' };
const client = createS3Client({ endpoint, pathStyle: true, region: 'us-east-1', credentials });
const bucket = `parts-${randomBytes(4).toString('hex')}`;
await client.send(new CreateBucketCommand({ Bucket: bucket }));

const MiB = 1024 * 1024;
const sizeMiB = Number(process.env.BENCH_PART_FILE_MIB ?? 1024);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'part-size-'));
const file = path.join(dir, 'big.bin');
await new Promise((resolve, reject) => {
  const out = createWriteStream(file);
  out.on('error', reject);
  let left = sizeMiB;
  const more = () => {
    while (left > 0) {
      left--;
      if (!out.write(randomBytes(MiB))) return void out.once('drain', more);
    }
    out.end(resolve);
  };
  more();
});

const configs = [
  { label: '5 MiB × 4 (SDK default)', partSize: 5 * MiB, partConcurrency: 4 },
  { label: '8 MiB × 8', partSize: 8 * MiB, partConcurrency: 8 },
  { label: '16 MiB × 4', partSize: 16 * MiB, partConcurrency: 4 },
  { label: '16 MiB × 8 (s3lync default)', partSize: 16 * MiB, partConcurrency: 8 },
  { label: '32 MiB × 8', partSize: 32 * MiB, partConcurrency: 8 },
];
const times = new Map(configs.map((c) => [c.label, []]));
for (let round = 0; round < 2; round++) {
  for (const c of round % 2 ? [...configs].reverse() : configs) {
    const engine = new SyncEngine({ client, dataDir: null, partSize: c.partSize, partConcurrency: c.partConcurrency, multipartThreshold: 16 * MiB });
    const t0 = performance.now();
    const r = await engine.sync({ direction: 'push', localPath: dir, remote: `s3://${bucket}/${round}-${c.partSize}-${c.partConcurrency}/` });
    const s = (performance.now() - t0) / 1000;
    engine.close();
    if (!r.ok) throw new Error(`${c.label}: upload failed: ${JSON.stringify(r.failed[0]?.message)}`);
    times.get(c.label).push(s);
    console.error(`${c.label}: ${s.toFixed(2)} s`);
  }
}
console.log(`\n| ${sizeMiB} MiB upload | median of 2 |\n|---|---:|`);
for (const c of configs) {
  const t = [...times.get(c.label)].sort((a, b) => a - b);
  console.log(`| ${c.label} | ${((t[0] + t[t.length - 1]) / 2).toFixed(2)} s |`);
}
await fs.rm(dir, { recursive: true, force: true });
client.destroy();
