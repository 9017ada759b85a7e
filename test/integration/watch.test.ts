// Background syncing: real file events, the per-pair runner (one sync at a time, backoff,
// guard pauses) and a watched pair converging with S3 by itself.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/shared/progress';
import { Excluder } from '../../src/main/sync/exclude';
import { FolderWatcher, PairRunner } from '../../src/main/sync/watch';
import { engineFor, getText, newBucket, putObject, rawClient, s3env, tmpDir, writeTree } from '../helpers';
import { createS3Client } from '../../src/main/sync/s3';
import { Semaphore } from '../../src/main/sync/concurrency';
import { disableDirect, observeDirect } from '../../src/main/sync/direct';

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('FolderWatcher', () => {
  for (const polling of [false, true]) {
    it(`reports changed paths after writes finish, ignoring excluded ones${polling ? ' (polling)' : ''}`, async () => {
      const root = await tmpDir('watch');
      const batches: Array<Set<string>> = [];
      const w = new FolderWatcher(root, new Excluder(['\\.tmp$']), (p) => batches.push(p ?? new Set()), { debounceMs: 100, usePolling: polling });
      await w.start();
      await fs.writeFile(path.join(root, 'a.txt'), 'a');
      await fs.writeFile(path.join(root, 'skip.tmp'), 'x');
      await fs.mkdir(path.join(root, 'sub'));
      await fs.writeFile(path.join(root, 'sub', 'b.txt'), 'b');
      // Polling under a loaded machine can take a while: allow it, the point is that it arrives.
      await until(() => batches.flatMap((b) => [...b]).includes('sub/b.txt') && batches.flatMap((b) => [...b]).includes('a.txt'), 40_000);
      expect(batches.flatMap((b) => [...b])).not.toContain('skip.tmp');
      await w.close();
    });
  }
});

function result(partial: Partial<SyncResult> = {}): SyncResult {
  return {
    plan: { direction: 'sync', mirror: false, localRoot: '/', remote: 's3://b/', operations: [], skipped: [], notes: [], counts: { upload: 0, download: 0, deleteRemote: 0, deleteLocal: 0, moveRemote: 0, moveLocal: 0, conflicts: 0, unchanged: 0, skipped: 0, bytes: 0 }, guard: null, listingComplete: true, hashed: 0 },
    done: 0,
    completed: { upload: 0, download: 0, deleteRemote: 0, deleteLocal: 0, moveRemote: 0, moveLocal: 0, conflicts: 0 },
    failed: [],
    deletionsHeld: 0,
    heldReason: null,
    bytes: 0,
    seconds: 0,
    cancelled: false,
    ok: true,
    ...partial,
  };
}

describe('incremental syncs', () => {
  it('look only at the changed paths (no listing), and fall back to a full sync for deletions and folders', async () => {
    const e = s3env();
    const calls: string[] = [];
    const counting = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } });
    counting.middlewareStack.add((next, context) => async (args) => {
      calls.push(context.commandName ?? '');
      return next(args);
    }, { step: 'initialize', name: 'count' });
    observeDirect(counting, (command) => calls.push(command)); // calls answered directly count too
    const root = await tmpDir('inc');
    await writeTree(root, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, `v1 ${i}`])));
    const engine = engineFor(await tmpDir('d'), { client: counting });
    const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/inc-${randomBytes(2).toString('hex')}/` };
    expect((await engine.sync(spec)).ok).toBe(true);
    await fs.writeFile(path.join(root, 'f3.txt'), 'v2 three');
    await fs.writeFile(path.join(root, 'new.txt'), 'brand new');
    calls.length = 0;
    const inc = await engine.prepare({ ...spec, only: ['f3.txt', 'new.txt'] });
    expect(inc.plan.operations.map((o) => `${o.kind} ${o.path}`).sort()).toEqual(['upload f3.txt', 'upload new.txt']);
    expect(calls.filter((c) => c === 'ListObjectsV2Command')).toEqual([]);
    expect(calls.filter((c) => c === 'HeadObjectCommand').length).toBe(2);
    expect((await inc.run()).ok).toBe(true);
    // A deletion is judged against the whole tree: the incremental request becomes a full sync.
    await fs.rm(path.join(root, 'f4.txt'));
    calls.length = 0;
    const del = await engine.prepare({ ...spec, only: ['f4.txt'] });
    expect(del.plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(['delete-remote f4.txt']);
    expect(calls).toContain('ListObjectsV2Command');
    // A changed folder needs a scan of it: full as well.
    await writeTree(root, { 'sub/x.txt': 'x' });
    const dir = await engine.prepare({ ...spec, only: ['sub'] });
    expect(dir.plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(['upload sub/x.txt', 'delete-remote f4.txt']);
    counting.destroy();
  });
});

describe('watcher errors', () => {
  it('running out of watches (ENOSPC) degrades to polling with a visible note, and keeps reporting changes', async () => {
    const root = await tmpDir('degrade');
    const notes: string[] = [];
    const seen: string[] = [];
    const w = new FolderWatcher(root, new Excluder([]), (p) => seen.push(...(p ?? ['<everything>'])), { debounceMs: 50, onNote: (n) => notes.push(n) });
    await w.start();
    const inner = (w as unknown as { watcher: { emit(e: string, err: Error): void } }).watcher;
    inner.emit('error', Object.assign(new Error('watch limit'), { code: 'ENOSPC' }));
    await until(() => w.isPolling);
    expect(notes[0]).toMatch(/ran out of file watches \(ENOSPC\).*polling/);
    await fs.writeFile(path.join(root, 'after.txt'), 'x');
    await until(() => seen.includes('after.txt'));
    await w.close();
  });
});

describe('global transfer limit', () => {
  it('two pairs syncing at once never move more files together than the shared limit', async () => {
    const e = s3env();
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } });
    slow.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutObjectCommand') return next(args);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 20));
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'count-in-flight' },
    );
    disableDirect(slow); // the delay is in SDK middleware, which direct requests do not pass
    const slots = new Semaphore(3);
    const runs = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const root = await tmpDir(`limit-${name}`);
        await writeTree(root, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `${name}${i}`])));
        const engine = engineFor(await tmpDir('d'), { client: slow, concurrency: 16, transferSlots: slots });
        return engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/limit-${name}-${randomBytes(2).toString('hex')}/` });
      }),
    );
    expect(runs.every((r) => r.ok && r.completed.upload === 20)).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    slow.destroy();
  });
});

describe('PairRunner', () => {
  it('never runs two syncs of a pair at once, and runs once more for requests made meanwhile', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const runner = new PairRunner({
      sync: async () => {
        active++;
        runs++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 50));
        active--;
        return result();
      },
    });
    for (let i = 0; i < 10; i++) runner.request();
    await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 10; i++) runner.request();
    await runner.idle();
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries with exponential backoff when the server is unreachable, then catches up', async () => {
    const delays: Array<number | null> = [];
    let calls = 0;
    const runner = new PairRunner({
      backoffMs: 20,
      sync: async () => {
        calls++;
        if (calls <= 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
        return result();
      },
      onError: (_m, retry) => delays.push(retry),
    });
    runner.request();
    await until(() => calls === 4, 5000);
    await runner.idle();
    expect(delays.length).toBe(3);
    expect(calls).toBe(4);
  });

  it('pauses itself when the deletion guard trips, until resumed', async () => {
    let calls = 0;
    const held: string[] = [];
    const runner = new PairRunner({
      sync: async () => {
        calls++;
        const r = result({ deletionsHeld: 20, ok: false, heldReason: 'guard' });
        r.plan.guard = { tripped: true, message: 'Stopped before deleting 20 files' };
        return r;
      },
      onHeld: (m) => held.push(m),
    });
    runner.request();
    await runner.idle();
    runner.request();
    await runner.idle();
    expect(calls).toBe(1);
    expect(held).toEqual(['Stopped before deleting 20 files']);
    runner.resume();
    await runner.idle();
    expect(calls).toBe(2);
  });
});

describe('a watched pair', () => {
  it('sends a local edit to S3 and brings a remote change to the folder by itself', async () => {
    const root = await tmpDir('watched');
    const prefix = `w-${randomBytes(3).toString('hex')}/`;
    const engine = engineFor(await tmpDir('d'));
    const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/${prefix}` };
    const runner = new PairRunner({ sync: (signal, paths) => engine.sync({ ...spec, only: paths ?? undefined }, { signal }) });
    const watcher = new FolderWatcher(root, new Excluder([]), (p) => runner.request(p ?? undefined), { debounceMs: 100 });
    await watcher.start();
    const poll = setInterval(() => runner.request(), 500);
    try {
      await fs.writeFile(path.join(root, 'hello.txt'), 'written locally');
      const ms = await until(async () => (await getText(client, bucket, `${prefix}hello.txt`).catch(() => '')) === 'written locally');
      expect(ms).toBeLessThan(15_000);
      await putObject(client, bucket, `${prefix}from-s3.txt`, 'written remotely');
      await until(async () => (await fs.readFile(path.join(root, 'from-s3.txt'), 'utf8').catch(() => '')) === 'written remotely');
    } finally {
      clearInterval(poll);
      await watcher.close();
      await runner.stop();
      engine.close();
    }
  });
});
