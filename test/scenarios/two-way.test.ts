// Two-way sync scenarios in the style of rclone's bisync suite, against the real S3 server: each
// row gives the trees both sides start from (synced once to make the base), what happens on
// each side, and the trees both sides must have after the sync. A second sync must find nothing
// to do. Conflict copies are written `name (conflict).ext` here (host and time stripped).
import { CopyObjectCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/main/sync/s3';
import { engineFor, newBucket, putObject, rawClient, readTree, remoteTree, s3env, tmpDir, writeTree, type Tree } from '../helpers';
import { disableDirect } from '../../src/main/sync/direct';

type Action =
  | { side: 'local' | 'remote'; write: string; content: string }
  | { side: 'local' | 'remote'; remove: string }
  | { side: 'local' | 'remote'; rename: string; to: string };

interface Scenario {
  name: string;
  /** Both sides start with this tree and are synced once (the base). Omit for a first sync. */
  synced?: Tree;
  /** First-sync scenarios: what each side has before any base exists. */
  local?: Tree;
  remote?: Tree;
  actions?: Action[];
  expect: { local: Record<string, string>; remote: Record<string, string> };
  /** Operation kinds the sync must plan (order-free). */
  plans?: string[];
  guard?: RegExp;
}

const s1 = { 'a.txt': 'alpha', 'b.txt': 'bravo', 'd/c.txt': 'charlie' };

const scenarios: Scenario[] = [
  { name: 'edit locally', synced: s1, actions: [{ side: 'local', write: 'a.txt', content: 'ALPHA' }], expect: { local: { ...s1, 'a.txt': 'ALPHA' }, remote: { ...s1, 'a.txt': 'ALPHA' } }, plans: ['upload a.txt'] },
  { name: 'edit on S3', synced: s1, actions: [{ side: 'remote', write: 'd/c.txt', content: 'CHARLIE!' }], expect: { local: { ...s1, 'd/c.txt': 'CHARLIE!' }, remote: { ...s1, 'd/c.txt': 'CHARLIE!' } }, plans: ['download d/c.txt'] },
  {
    name: 'same edit on both sides: no conflict',
    synced: s1,
    actions: [
      { side: 'local', write: 'b.txt', content: 'same new text' },
      { side: 'remote', write: 'b.txt', content: 'same new text' },
    ],
    expect: { local: { ...s1, 'b.txt': 'same new text' }, remote: { ...s1, 'b.txt': 'same new text' } },
    plans: [],
  },
  {
    name: 'different edits on both sides: both kept',
    synced: s1,
    actions: [
      { side: 'local', write: 'a.txt', content: 'local version' },
      { side: 'remote', write: 'a.txt', content: 'remote version' },
    ],
    expect: {
      local: { ...s1, 'a.txt': 'remote version', 'a (conflict).txt': 'local version' },
      remote: { ...s1, 'a.txt': 'remote version', 'a (conflict).txt': 'local version' },
    },
    plans: ['conflict a.txt'],
  },
  { name: 'delete locally', synced: s1, actions: [{ side: 'local', remove: 'b.txt' }], expect: { local: { 'a.txt': 'alpha', 'd/c.txt': 'charlie' }, remote: { 'a.txt': 'alpha', 'd/c.txt': 'charlie' } }, plans: ['delete-remote b.txt'] },
  { name: 'delete on S3', synced: s1, actions: [{ side: 'remote', remove: 'd/c.txt' }], expect: { local: { 'a.txt': 'alpha', 'b.txt': 'bravo' }, remote: { 'a.txt': 'alpha', 'b.txt': 'bravo' } }, plans: ['delete-local d/c.txt'] },
  {
    name: 'deleted locally, edited on S3: restored',
    synced: s1,
    actions: [
      { side: 'local', remove: 'a.txt' },
      { side: 'remote', write: 'a.txt', content: 'edited remotely' },
    ],
    expect: { local: { ...s1, 'a.txt': 'edited remotely' }, remote: { ...s1, 'a.txt': 'edited remotely' } },
    plans: ['download a.txt'],
  },
  {
    name: 'deleted on S3, edited locally: restored',
    synced: s1,
    actions: [
      { side: 'remote', remove: 'a.txt' },
      { side: 'local', write: 'a.txt', content: 'edited locally' },
    ],
    expect: { local: { ...s1, 'a.txt': 'edited locally' }, remote: { ...s1, 'a.txt': 'edited locally' } },
    plans: ['upload a.txt'],
  },
  {
    name: 'rename locally: a server-side move, not a re-upload',
    synced: s1,
    actions: [{ side: 'local', rename: 'b.txt', to: 'd/b-renamed.txt' }],
    expect: { local: { 'a.txt': 'alpha', 'd/b-renamed.txt': 'bravo', 'd/c.txt': 'charlie' }, remote: { 'a.txt': 'alpha', 'd/b-renamed.txt': 'bravo', 'd/c.txt': 'charlie' } },
    plans: ['move-remote d/b-renamed.txt'],
  },
  {
    name: 'rename on S3: a local rename',
    synced: s1,
    actions: [{ side: 'remote', rename: 'a.txt', to: 'z.txt' }],
    expect: { local: { 'b.txt': 'bravo', 'd/c.txt': 'charlie', 'z.txt': 'alpha' }, remote: { 'b.txt': 'bravo', 'd/c.txt': 'charlie', 'z.txt': 'alpha' } },
    plans: ['move-local z.txt'],
  },
  {
    name: 'new files on both sides',
    synced: s1,
    actions: [
      { side: 'local', write: 'new-local.txt', content: 'L' },
      { side: 'remote', write: 'd/new-remote.txt', content: 'R' },
    ],
    expect: { local: { ...s1, 'new-local.txt': 'L', 'd/new-remote.txt': 'R' }, remote: { ...s1, 'new-local.txt': 'L', 'd/new-remote.txt': 'R' } },
    plans: ['upload new-local.txt', 'download d/new-remote.txt'],
  },
  {
    name: 'first sync: union, equal files adopted, different ones kept as conflicts',
    local: { 'same.txt': 'same', 'only-local.txt': 'l', 'differs.txt': 'local side' },
    remote: { 'same.txt': 'same', 'only-remote.txt': 'r', 'differs.txt': 'remote side' },
    expect: {
      local: { 'same.txt': 'same', 'only-local.txt': 'l', 'only-remote.txt': 'r', 'differs.txt': 'remote side', 'differs (conflict).txt': 'local side' },
      remote: { 'same.txt': 'same', 'only-local.txt': 'l', 'only-remote.txt': 'r', 'differs.txt': 'remote side', 'differs (conflict).txt': 'local side' },
    },
    plans: ['upload only-local.txt', 'download only-remote.txt', 'conflict differs.txt'],
  },
  {
    name: 'local folder emptied (unmounted disk?): the guard stops, nothing deleted',
    synced: s1,
    actions: [
      { side: 'local', remove: 'a.txt' },
      { side: 'local', remove: 'b.txt' },
      { side: 'local', remove: 'd/c.txt' },
    ],
    expect: { local: {}, remote: s1 },
    guard: /looks empty/,
  },
  {
    name: 'more than half of many files deleted on S3: the guard stops',
    synced: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, String(i)])),
    actions: Array.from({ length: 7 }, (_, i) => ({ side: 'remote' as const, remove: `f${i}.txt` })),
    expect: {
      local: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, String(i)])),
      remote: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i + 7}.txt`, String(i + 7)])),
    },
    guard: /more than half/,
  },
  { name: 'empty folder and empty prefix', local: {}, remote: {}, expect: { local: {}, remote: {} }, plans: [] },
];

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

const normalize = (tree: Record<string, string>) =>
  Object.fromEntries(Object.entries(tree).map(([k, v]) => [k.replace(/ \(conflict [^)]*\)/, ' (conflict)'), v]));

async function apply(a: Action, root: string, prefix: string, c: S3Client) {
  const abs = (rel: string) => path.join(root, ...rel.split('/'));
  if (a.side === 'local') {
    if ('write' in a) await writeTree(root, { [a.write]: a.content });
    else if ('remove' in a) await fs.rm(abs(a.remove));
    else {
      await fs.mkdir(path.dirname(abs(a.to)), { recursive: true });
      await fs.rename(abs(a.rename), abs(a.to));
    }
  } else {
    if ('write' in a) await putObject(c, bucket, prefix + a.write, a.content);
    else if ('remove' in a) await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + a.remove }));
    else {
      await c.send(new CopyObjectCommand({ Bucket: bucket, Key: prefix + a.to, CopySource: `${bucket}/${encodeURIComponent(prefix + a.rename)}` }));
      await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + a.rename }));
    }
  }
}

describe('two-way sync scenarios', () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const prefix = `s-${randomBytes(4).toString('hex')}/`;
      const root = await tmpDir('bisync');
      const engine = engineFor(await tmpDir('data'));
      const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/${prefix}` };
      if (s.synced) {
        await writeTree(root, s.synced);
        const first = await engine.sync(spec);
        expect(first.ok).toBe(true);
        expect(await remoteTree(client, bucket, prefix)).toEqual(s.synced);
        // mtimes in the past, so edits made in the same second are still seen as edits
        for (const rel of Object.keys(s.synced)) {
          const t = new Date(Date.now() - 60_000);
          await fs.utimes(path.join(root, ...rel.split('/')), t, t);
        }
        await engine.sync(spec);
      } else {
        await writeTree(root, s.local ?? {});
        for (const [k, v] of Object.entries(s.remote ?? {})) await putObject(client, bucket, prefix + k, v);
      }
      for (const a of s.actions ?? []) await apply(a, root, prefix, client);

      const prepared = await engine.prepare(spec);
      if (s.plans) expect(prepared.plan.operations.map((o) => `${o.kind} ${o.path}`).sort()).toEqual([...s.plans].sort());
      const result = await prepared.run();
      if (s.guard) {
        expect(result.ok).toBe(false);
        expect(result.heldReason).toMatch(s.guard);
      } else {
        expect(result.failed).toEqual([]);
        expect(result.ok).toBe(true);
      }
      expect(normalize(await readTree(root))).toEqual(s.expect.local);
      expect(normalize(await remoteTree(client, bucket, prefix))).toEqual(s.expect.remote);
      if (!s.guard) {
        const again = await engine.prepare(spec);
        expect(again.plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual([]);
      }
      engine.close();
    });
  }

  it('a failed transfer means no deletions in that run; the next run converges', async () => {
    const prefix = `fail-${randomBytes(4).toString('hex')}/`;
    const root = await tmpDir('bisync');
    const data = await tmpDir('data');
    await writeTree(root, s1);
    const good = engineFor(data);
    const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/${prefix}` };
    await good.sync(spec);
    await fs.rm(path.join(root, 'b.txt'));
    await writeTree(root, { 'new.txt': 'will fail once' });
    const e = s3env();
    const faulty = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 1 });
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') throw Object.assign(new Error('Internal Error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
        return next(args);
      },
      { step: 'initialize', name: 'fail-puts' },
    );
    disableDirect(faulty); // the failure is injected in SDK middleware, which direct requests do not pass
    const bad = engineFor(data, { client: faulty });
    const r = await bad.sync(spec);
    expect(r.ok).toBe(false);
    expect(r.deletionsHeld).toBe(1);
    expect(await remoteTree(client, bucket, prefix)).toEqual(s1); // b.txt still there
    const r2 = await good.sync(spec);
    expect(r2.ok).toBe(true);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'a.txt': 'alpha', 'd/c.txt': 'charlie', 'new.txt': 'will fail once' });
    faulty.destroy();
    good.close();
  });

  it('two machines paired to one prefix converge, with conflicts kept and nothing lost', async () => {
    const prefix = `two-${randomBytes(4).toString('hex')}/`;
    const a = await tmpDir('machine-a');
    const b = await tmpDir('machine-b');
    const ea = engineFor(await tmpDir('data-a'));
    const eb = engineFor(await tmpDir('data-b'));
    const uri = `s3://${bucket}/${prefix}`;
    const syncA = () => ea.sync({ direction: 'sync', localPath: a, remote: uri });
    const syncB = () => eb.sync({ direction: 'sync', localPath: b, remote: uri });
    await writeTree(a, { 'notes.md': 'v1', 'todo.txt': 'buy milk', 'pics/cat.jpg': 'meow' });
    await syncA();
    await syncB();
    expect(await readTree(b)).toEqual(await readTree(a));
    // Concurrent edits, a delete, a rename and new files on both machines.
    await writeTree(a, { 'notes.md': 'v2 from A', 'a-only.txt': 'A' });
    await writeTree(b, { 'notes.md': 'v2 from B', 'b-only.txt': 'B' });
    await fs.rm(path.join(b, 'todo.txt'));
    await fs.rename(path.join(a, 'pics/cat.jpg'), path.join(a, 'pics/kitty.jpg'));
    for (const run of [syncA, syncB, syncA, syncB]) expect((await run()).ok).toBe(true);
    const ta = normalize(await readTree(a));
    const tb = normalize(await readTree(b));
    expect(ta).toEqual(tb);
    expect(ta).toEqual({
      'notes.md': 'v2 from A',
      'notes (conflict).md': 'v2 from B',
      'a-only.txt': 'A',
      'b-only.txt': 'B',
      'pics/kitty.jpg': 'meow',
    });
    expect(normalize(await remoteTree(client, bucket, prefix))).toEqual(ta);
    ea.close();
    eb.close();
  });
});
