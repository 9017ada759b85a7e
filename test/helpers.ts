// Shared test tools: real temp folders, a fresh bucket on the real S3 server per test file, the
// engine wired to it, and the built CLI run as a user would run it.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { inject } from 'vitest';
import { SyncEngine, type EngineOptions } from '../src/main/sync/engine';
import { createS3Client, listAll } from '../src/main/sync/s3';

export function s3env() {
  return inject('s3');
}

export function rawClient(): S3Client {
  const e = s3env();
  return createS3Client({
    endpoint: e.endpoint,
    pathStyle: true,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
  });
}

export async function newBucket(client = rawClient()): Promise<string> {
  const name = `t-${randomBytes(6).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** A fresh temp folder under the run's root (removed when the run ends). */
export async function tmpDir(label = 's3lync'): Promise<string> {
  return fs.mkdtemp(path.join(inject('tmpRoot'), `${label}-`));
}

export function engineFor(dataDir: string | null, extra: EngineOptions = {}): SyncEngine {
  const e = s3env();
  return new SyncEngine({
    endpoint: e.endpoint,
    pathStyle: true,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    dataDir,
    ...extra,
  });
}

export type Tree = Record<string, string | Buffer>;

export async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [rel, content] of Object.entries(tree)) {
    const abs = path.join(root, ...rel.split('/'));
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
  }
}

/**
 * writeTree, then every file dated a minute back: old enough that its hash is remembered (hashes
 * of files written within the last 2 s are not cached, their mtimes being racy).
 */
export async function writeAgedTree(root: string, tree: Tree): Promise<void> {
  await writeTree(root, tree);
  const old = new Date(Date.now() - 60_000);
  for (const rel of Object.keys(tree)) await fs.utimes(path.join(root, ...rel.split('/')), old, old);
}

/** Every regular file under root as rel -> utf8 content (binary files as `<N bytes md5>`). */
export async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string) {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else if (e.isFile()) out[r] = (await fs.readFile(path.join(dir, e.name))).toString('utf8');
    }
  }
  await walk(root, '');
  return out;
}

export async function putObject(client: S3Client, bucket: string, key: string, body: string | Buffer, metadata?: Record<string, string>) {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: metadata }));
}

export async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return r.Body!.transformToString();
}

/** Every object under prefix as rel -> utf8 content. */
export async function remoteTree(client: S3Client, bucket: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of await listAll(client, bucket, prefix)) out[o.key.slice(prefix.length)] = await getText(client, bucket, o.key);
  return out;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = path.join(__dirname, '..', 'dist', 'cli', 's3lync.js');

/** Runs the built CLI (npm run build:engine) against the test server. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const e = s3env();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        AWS_ACCESS_KEY_ID: e.accessKeyId,
        AWS_SECRET_ACCESS_KEY: e.secretAccessKey,
        AWS_REGION: e.region,
        AWS_ENDPOINT_URL: e.endpoint,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The ETag S3 gives `body` uploaded in parts of `partSize` — md5(md5(part1)..md5(partN))-N —
 * computed the plain way, independently of the code under test.
 */
export function referenceCompositeEtag(body: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let i = 0; i < body.length; i += partSize) digests.push(createHash('md5').update(body.subarray(i, i + partSize)).digest());
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}
