// Crash safety: the CLI is killed with SIGKILL at random moments of large syncs (many small files,
// and a large multipart file), with fixed seeds. Then it runs again and must converge: no
// truncated file under a real name, no temp file left, a readable (or safely rebuilt) hash cache
// and base, and no orphan multipart upload. Two processes syncing one folder cannot both run.
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../src/main/sync/s3';
import { newBucket, rawClient, runCli, s3env, tmpDir, writeTree } from '../helpers';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { rng } from '../faults/proxy';

const client = rawClient();
let bucket: string;
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 's3lync.js');
const report: string[] = [];
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => {
  client.destroy();
  console.log(`\nCrash runs (SIGKILL):\n${report.join('\n')}`);
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function startCli(args: string[], env: Record<string, string>) {
  const e = s3env();
  return spawn(process.execPath, [CLI, ...args, '--path-style', '--quiet'], {
    env: { PATH: process.env.PATH ?? '', HOME: env.HOME, AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey, AWS_REGION: e.region, AWS_ENDPOINT_URL: e.endpoint, ...env },
    stdio: 'ignore',
  });
}

async function killAfter(args: string[], env: Record<string, string>, ms: number): Promise<boolean> {
  const child = startCli(args, env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const code = await exited;
  clearTimeout(timer);
  return code === null; // killed before it finished
}

async function localFiles(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string) {
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out[r] = md5(await fs.readFile(path.join(dir, e.name)));
    }
  }
  await walk(root, '');
  return out;
}

async function remoteFiles(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of await listAll(client, bucket, prefix)) {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    out[o.key.slice(prefix.length)] = md5(Buffer.from(await r.Body!.transformToByteArray()));
  }
  return out;
}

async function jsonFilesReadable(dir: string): Promise<void> {
  for (const sub of ['hash-cache', 'base', 'remote-cache', 'uploads']) {
    for (const name of await fs.readdir(path.join(dir, sub)).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      JSON.parse(await fs.readFile(path.join(dir, sub, name), 'utf8')); // throws if torn
    }
  }
}

describe('SIGKILL at random points', () => {
  const source = { files: {} as Record<string, Buffer> };
  beforeAll(() => {
    for (let i = 0; i < 150; i++) source.files[`many/f${String(i).padStart(3, '0')}.txt`] = Buffer.from(`small file ${i} `.repeat(20));
    source.files['large/video.bin'] = randomBytes(30 * 1024 * 1024);
  });

  for (const mode of ['push', 'pull', 'sync'] as const) {
    it(`${mode}: converges after being killed, with nothing torn`, async () => {
      const seeds = mode === 'sync' ? [301, 302, 303, 304, 305, 306] : mode === 'push' ? [101, 102, 103, 104, 105, 106, 107] : [201, 202, 203, 204, 205, 206, 207];
      for (const seed of seeds) {
        const home = await tmpDir('home');
        const env = { HOME: home, XDG_DATA_HOME: path.join(home, 'data') };
        const prefix = `crash-${mode}-${seed}-${randomBytes(2).toString('hex')}/`;
        const root = await tmpDir('crash');
        const want = Object.fromEntries(Object.entries(source.files).map(([k, v]) => [k, md5(v)]));
        const uri = `s3://${bucket}/${prefix}`;
        if (mode === 'pull') {
          const seedDir = await tmpDir('seed');
          await writeTree(seedDir, source.files);
          expect((await runCli(['push', seedDir, uri, '--part-size', '5', '--path-style'], env)).code).toBe(0);
        } else {
          await writeTree(root, source.files);
        }
        const args = mode === 'push' ? ['push', root, uri, '--part-size', '5'] : mode === 'pull' ? ['pull', uri, root] : ['sync', root, uri, '--part-size', '5'];
        const r = rng(seed);
        let kills = 0;
        for (let k = 0; k < 3; k++) {
          if (await killAfter(args, env, 150 + Math.floor(r() * 900))) kills++;
          // After every kill: nothing torn under a real name.
          for (const [rel, sum] of Object.entries(await localFiles(root))) {
            if (/\.s3lync-[0-9a-f]{8}\.tmp$/.test(rel)) continue; // a temp beside its target, removed by the next run
            expect(sum, `${rel} torn after kill (seed ${seed})`).toBe(want[rel]);
          }
        }
        const final = await runCli([...args, '--path-style'], env);
        expect(final.code, `${mode} seed ${seed}: ${final.stderr}`).toBe(0);
        expect(await localFiles(root), `local after ${mode} seed ${seed}`).toEqual(want);
        expect(await remoteFiles(prefix), `remote after ${mode} seed ${seed}`).toEqual(want);
        await jsonFilesReadable(path.join(home, 'data', 's3lync'));
        const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
        expect(uploads.Uploads ?? [], `orphan multipart uploads (seed ${seed})`).toEqual([]);
        report.push(`  ${mode} seed ${seed}: killed ${kills} of 3 attempts, then converged; 0 files lost or torn`);
      }
    });
  }

  it('two processes syncing the same folder: the second is refused with a clear message', async () => {
    const home = await tmpDir('home');
    const env = { HOME: home, XDG_DATA_HOME: path.join(home, 'data') };
    const root = await tmpDir('lock');
    await writeTree(root, Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`f${i}.txt`, `x${i}`])));
    const uri = `s3://${bucket}/lock-${randomBytes(2).toString('hex')}/`;
    const first = startCli(['push', root, uri, '--concurrency', '1'], env);
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
    let second;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = await runCli(['push', root, uri, '--concurrency', '1'], env);
      if (second.code !== 0) break;
    }
    expect(second!.code).toBe(1);
    expect(second!.stderr).toMatch(/Another s3lync process \(pid \d+\) is already syncing/);
    expect(await firstDone).toBe(0);
  });
});
