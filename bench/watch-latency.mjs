#!/usr/bin/env node
// Watcher latency: how long after a write finishes does the file exist on S3, with
// `s3lync watch --mode push` running? Writes 20 files one after another (each waits for the
// previous to arrive) and prints the distribution. Uses the test S3 server (scripts/s3-server.sh)
// unless S3LYNC_TEST_ENDPOINT is set. Run after `npm run build:engine`.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let endpoint = process.env.S3LYNC_TEST_ENDPOINT;
if (!endpoint) endpoint = /endpoint=(\S+)/.exec(execFileSync('bash', [path.join(root, 'scripts', 's3-server.sh'), 'start'], { encoding: 'utf8' }))[1];
const creds = { accessKeyId: process.env.S3LYNC_TEST_ACCESS_KEY_ID ?? 'test:tester', secretAccessKey: process.env.S3LYNC_TEST_SECRET_ACCESS_KEY ?? 'testing' };
const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: creds, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
const bucket = `lat-${randomBytes(4).toString('hex')}`;
await client.send(new CreateBucketCommand({ Bucket: bucket }));
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'watch-latency-'));
const data = await fs.mkdtemp(path.join(os.tmpdir(), 'watch-latency-data-'));
const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 's3lync.js'), 'watch', dir, `s3://${bucket}/w/`, '--mode', 'push', '--interval', '3600', '--json', '--endpoint', endpoint, '--path-style'], {
  env: { ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, S3LYNC_DATA_DIR: data },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('"watching"') && resolve()));
await new Promise((r) => setTimeout(r, 1000));
const exists = (key) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
const latencies = [];
for (let i = 0; i < 20; i++) {
  const name = `edit-${i}.txt`;
  await fs.writeFile(path.join(dir, name), `edit ${i} ${'x'.repeat(1000)}`);
  const written = performance.now();
  while (!(await exists(`w/${name}`))) await new Promise((r) => setTimeout(r, 10));
  latencies.push((performance.now() - written) / 1000);
}
child.kill('SIGINT');
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
console.log(`watch → S3 latency over ${latencies.length} edits (s): min ${latencies[0].toFixed(2)}, median ${q(0.5).toFixed(2)}, p90 ${q(0.9).toFixed(2)}, max ${latencies.at(-1).toFixed(2)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await fs.rm(dir, { recursive: true, force: true });
await fs.rm(data, { recursive: true, force: true });
process.exit(0);
