// The fault matrix: push, pull, mirrors and two-way syncs of small and multipart files through a
// proxy that injects server errors, throttling, resets, stalls, truncated bodies and flipped
// bytes. For every cell: the final state is exactly right after retries or later runs, no corrupt
// file ever appears under its real name, no temp file is left, and no run that had a failure
// deleted anything. Seeds are fixed and printed, so a failing cell replays.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/shared/progress';
import type { Direction } from '../../src/shared/plan';
import { MiB } from '../../src/main/sync/md5';
import { SyncEngine } from '../../src/main/sync/engine';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, listAll } from '../../src/main/sync/s3';
import { newBucket, putObject, rawClient, s3env, tmpDir, writeTree } from '../helpers';
import { ALL_FAULTS, rng, startFaultProxy, type Fault, type FaultProxy } from './proxy';

const client = rawClient();
let bucket: string;
let proxy: FaultProxy;
const matrix: string[] = [];
let totalRuns = 0;

beforeAll(async () => {
  bucket = await newBucket(client);
  proxy = await startFaultProxy(s3env().endpoint, 3000);
});
afterAll(async () => {
  await proxy.close();
  client.destroy();
  const injected = Object.entries(proxy.injected).map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`\nFault matrix (fault × operation → runs until correct; failed runs deleted nothing):\n${matrix.join('\n')}\nFaults injected: ${injected}; requests through the proxy: ${proxy.requests}; sync runs: ${totalRuns}; files lost or corrupt: 0`);
});

function faultyEngine(dataDir: string): SyncEngine {
  const e = s3env();
  return new SyncEngine({
    client: createS3Client({ endpoint: proxy.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 2, requestTimeoutMs: 1500 }),
    dataDir,
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
    concurrency: 4,
  });
}

/** A tree with small files and one multipart-sized file, from a seed. */
function tree(seed: number): Record<string, Buffer> {
  const r = rng(seed);
  const t: Record<string, Buffer> = {};
  for (let i = 0; i < 6; i++) t[`small/f${i}.txt`] = Buffer.from(`file ${i} seed ${seed} ${'x'.repeat(Math.floor(r() * 2000))}`);
  t['big/blob.bin'] = randomBytes(6 * MiB); // two parts at 5 MiB
  return t;
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

async function localMd5s(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string) {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out[r] = md5(await fs.readFile(path.join(dir, e.name)));
    }
  }
  await walk(root, '');
  return out;
}

async function remoteMd5s(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of await listAll(client, bucket, prefix)) {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
    out[o.key.slice(prefix.length)] = md5(Buffer.from(await r.Body!.transformToByteArray()));
  }
  return out;
}

const ops: Array<{ name: string; direction: Direction; mirror: boolean }> = [
  { name: 'push', direction: 'push', mirror: false },
  { name: 'pull', direction: 'pull', mirror: false },
  { name: 'push --force', direction: 'push', mirror: true },
  { name: 'pull --force', direction: 'pull', mirror: true },
  { name: 'two-way', direction: 'sync', mirror: false },
];

describe('fault matrix', () => {
  ALL_FAULTS.forEach((fault: Fault, fi) => {
    it(`${fault}`, async () => {
      const row: string[] = [];
      for (const [oi, op] of ops.entries()) {
        const seed = 1000 + fi * 10 + oi;
        const prefix = `m-${fault}-${oi}-${randomBytes(2).toString('hex')}/`;
        const local = await tmpDir('fault');
        const want = tree(seed);
        const wantMd5 = Object.fromEntries(Object.entries(want).map(([k, v]) => [k, md5(v)]));
        // Source side holds the tree; the target holds an extra file a mirror must delete (and others must not).
        const extra = { 'old/extra.txt': Buffer.from('extra on the target') };
        if (op.direction === 'pull') {
          for (const [k, v] of Object.entries(want)) await putObject(client, bucket, prefix + k, v);
          await writeTree(local, extra);
        } else {
          await writeTree(local, want);
          await putObject(client, bucket, prefix + 'old/extra.txt', extra['old/extra.txt']);
        }
        const engine = faultyEngine(await tmpDir('data'));
        proxy.setFaults({ [fault]: fault === 'stall' ? 0.08 : 0.35 }, seed);
        let runs = 0;
        let last: SyncResult | null = null;
        for (; runs < 8; runs++) {
          totalRuns++;
          try {
            last = await engine.sync({ direction: op.direction, localPath: local, remote: `s3://${bucket}/${prefix}`, mirror: op.mirror, maxDelete: 10 });
          } catch (err) {
            last = null; // a listing failed: nothing was planned, nothing deleted
            if (process.env.S3LYNC_DEBUG_FAULTS) console.log(fault, op.name, (err as Error).message);
          }
          if (last && !last.ok) {
            // A run with a failure deletes nothing.
            expect(last.completed.deleteLocal + last.completed.deleteRemote, `${fault}/${op.name} seed ${seed}`).toBe(0);
          }
          // Never a corrupt file under a real name, never a temp file left.
          const extraMd5 = md5(extra['old/extra.txt']);
          for (const [k, v] of Object.entries(await localMd5s(local))) {
            expect(k, `${fault}/${op.name} seed ${seed}`).not.toMatch(/\.s3lync-[0-9a-f]{8}\.tmp$/);
            expect(v, `${k} corrupt (${fault}/${op.name} seed ${seed})`).toBe(k === 'old/extra.txt' ? extraMd5 : wantMd5[k]);
          }
          if (last?.ok) break;
        }
        proxy.setFaults({}, seed);
        expect(last?.ok, `${fault}/${op.name} never converged (seed ${seed})`).toBe(true);
        const withExtra = { ...wantMd5, 'old/extra.txt': md5(extra['old/extra.txt']) };
        const expectLocal = op.direction === 'push' ? wantMd5 : op.mirror ? wantMd5 : withExtra;
        const expectRemote = op.direction === 'pull' ? wantMd5 : op.mirror ? wantMd5 : withExtra;
        expect(await localMd5s(local), `${fault}/${op.name} local (seed ${seed})`).toEqual(expectLocal);
        expect(await remoteMd5s(prefix), `${fault}/${op.name} remote (seed ${seed})`).toEqual(expectRemote);
        row.push(`${op.name}: ${runs + 1} run${runs ? 's' : ''}`);
        engine.close();
      }
      matrix.push(`  ${fault.padEnd(14)} ${row.join(' | ')}`);
    });
  });
});
