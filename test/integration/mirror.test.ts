// Mirror (force) semantics on the real server: transfers before deletions, no deletion after any
// failure, excluded files never deleted, local deletions into the trash, and the deletion guard.
import type { S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/main/sync/s3';
import { engineFor, newBucket, putObject, rawClient, readTree, remoteTree, s3env, tmpDir, writeTree } from '../helpers';
import { disableDirect } from '../../src/main/sync/direct';

const client = rawClient();
let bucket: string;

beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}/`;

/** A real client that fails chosen requests, as a flaky or hostile server would. */
function faultyClient(fail: (command: string, key: string | undefined) => boolean): S3Client {
  const e = s3env();
  const c = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 1 });
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string };
      if (fail(context.commandName ?? '', input.Key)) {
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'inject-fault' },
  );
  // Faults are injected in SDK middleware, which direct requests (direct.ts) do not pass.
  disableDirect(c);
  return c;
}

describe('push mirror', () => {
  it('uploads, then deletes remote extras, but never excluded ones (seed defects 2 and 3)', async () => {
    const prefix = uniq('pm');
    const root = await tmpDir('pm');
    await writeTree(root, { 'keep.txt': 'k', 'new.txt': 'n', '.env': 'local secret' });
    for (const [k, v] of Object.entries({ 'keep.txt': 'k', 'gone.txt': 'g', '.env': 'remote secret', 'cache/x.tmp': 't' })) {
      await putObject(client, bucket, prefix + k, v);
    }
    const engine = engineFor(await tmpDir('d'));
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, exclude: ['^\\.env$', '\\.tmp$'] });
    expect(r.ok).toBe(true);
    expect(r.plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(['upload new.txt', 'delete-remote gone.txt']);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'keep.txt': 'k', 'new.txt': 'n', '.env': 'remote secret', 'cache/x.tmp': 't' });
    engine.close();
  });

  it('deletes nothing when a transfer failed', async () => {
    const prefix = uniq('pf');
    const root = await tmpDir('pf');
    await writeTree(root, { 'ok.txt': 'fine', 'fail.txt': 'will fail' });
    await putObject(client, bucket, `${prefix}extra.txt`, 'must survive');
    const faulty = faultyClient((cmd, key) => cmd === 'PutObjectCommand' && !!key?.endsWith('fail.txt'));
    const engine = engineFor(await tmpDir('d'), { client: faulty });
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true });
    expect(r.ok).toBe(false);
    expect(r.failed.map((f) => f.operation.path)).toEqual(['fail.txt']);
    expect(r.failed[0].message).toMatch(/Access denied/);
    expect(r.deletionsHeld).toBe(1);
    expect(r.heldReason).toMatch(/nothing was deleted/);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'ok.txt': 'fine', 'extra.txt': 'must survive' });
    faulty.destroy();
  });

  it('stops before deleting more than half of the target, and --max-delete lets it go on', async () => {
    const prefix = uniq('guard');
    const root = await tmpDir('guard');
    await writeTree(root, { 'a.txt': 'a' });
    for (let i = 0; i < 12; i++) await putObject(client, bucket, `${prefix}f${i}.txt`, String(i));
    const engine = engineFor(await tmpDir('d'));
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true });
    expect(r.ok).toBe(false);
    expect(r.completed.upload).toBe(1);
    expect(r.deletionsHeld).toBe(12);
    expect(r.heldReason).toMatch(/more than half.*--max-delete 12/);
    expect(Object.keys(await remoteTree(client, bucket, prefix))).toHaveLength(13);
    const r2 = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, maxDelete: 12 });
    expect(r2.ok).toBe(true);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'a.txt': 'a' });
    engine.close();
  });

  it('deletes remote extras in batches beyond 1000 keys', async () => {
    const prefix = uniq('many');
    const root = await tmpDir('many');
    await writeTree(root, { 'only.txt': 'x' });
    const src = await tmpDir('many-src');
    const tree: Record<string, string> = {};
    for (let i = 0; i < 1005; i++) tree[`k/${String(i).padStart(4, '0')}`] = '';
    await writeTree(src, tree);
    const engine = engineFor(await tmpDir('d'), { concurrency: 32 });
    expect((await engine.sync({ direction: 'push', localPath: src, remote: `s3://${bucket}/${prefix}` })).ok).toBe(true);
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, maxDelete: 2000 });
    expect(r.ok).toBe(true);
    expect(r.completed.deleteRemote).toBe(1005);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'only.txt': 'x' });
    engine.close();
  });
});

describe('pull mirror', () => {
  it('moves local extras to the trash in the data directory, never unlinks them', async () => {
    const prefix = uniq('pl');
    const root = await tmpDir('pl');
    const data = await tmpDir('d');
    await writeTree(root, { 'a.txt': 'a', 'old/notes.txt': 'precious', 'x.tmp': 'scratch' });
    await putObject(client, bucket, `${prefix}a.txt`, 'a');
    await putObject(client, bucket, `${prefix}b.txt`, 'b');
    const engine = engineFor(data);
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, exclude: ['\\.tmp$'] });
    expect(r.ok).toBe(true);
    expect(await readTree(root)).toEqual({ 'a.txt': 'a', 'b.txt': 'b', 'x.tmp': 'scratch' });
    const trashed = await readTree(path.join(data, 'trash'));
    expect(Object.entries(trashed)).toEqual([[expect.stringMatching(/old\/notes\.txt$/), 'precious']]);
    engine.close();
  });

  it('keeps the previous version of a replaced file in the trash', async () => {
    const prefix = uniq('rep');
    const root = await tmpDir('rep');
    const data = await tmpDir('d');
    await writeTree(root, { 'doc.txt': 'version 1' });
    await putObject(client, bucket, `${prefix}doc.txt`, 'version 2');
    const engine = engineFor(data);
    expect((await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` })).ok).toBe(true);
    expect(await fs.readFile(path.join(root, 'doc.txt'), 'utf8')).toBe('version 2');
    expect(Object.values(await readTree(path.join(data, 'trash')))).toEqual(['version 1']);
    engine.close();
  });

  it('deletes nothing locally when a download failed', async () => {
    const prefix = uniq('plf');
    const root = await tmpDir('plf');
    await writeTree(root, { 'local-only.txt': 'stay' });
    await putObject(client, bucket, `${prefix}bad.txt`, 'x');
    await putObject(client, bucket, `${prefix}good.txt`, 'y');
    const faulty = faultyClient((cmd, key) => cmd === 'GetObjectCommand' && !!key?.endsWith('bad.txt'));
    const engine = engineFor(await tmpDir('d'), { client: faulty });
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true });
    expect(r.ok).toBe(false);
    expect(r.deletionsHeld).toBe(1);
    expect(await readTree(root)).toEqual({ 'local-only.txt': 'stay', 'good.txt': 'y' });
    faulty.destroy();
  });

  it('refuses to mirror an empty source', async () => {
    const prefix = uniq('empty');
    const root = await tmpDir('empty');
    await writeTree(root, { 'a.txt': 'a' });
    await putObject(client, bucket, `${prefix}only-excluded.log`, 'x');
    const engine = engineFor(await tmpDir('d'));
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, exclude: ['\\.log$'] });
    expect(r.ok).toBe(false);
    expect(r.heldReason).toMatch(/source is empty/);
    expect(await readTree(root)).toEqual({ 'a.txt': 'a' });
    engine.close();
  });

  it('a file edited locally after planning is not replaced or trashed', async () => {
    const prefix = uniq('race');
    const root = await tmpDir('race');
    await writeTree(root, { 'edit.txt': 'old', 'extra.txt': 'e' });
    await putObject(client, bucket, `${prefix}edit.txt`, 'remote');
    const engine = engineFor(await tmpDir('d'));
    const prepared = await engine.prepare({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true, maxDelete: 1 });
    expect(prepared.plan.operations.map((o) => o.kind)).toEqual(['download', 'delete-local']);
    await fs.writeFile(path.join(root, 'edit.txt'), 'user typed this meanwhile');
    const r = await prepared.run();
    expect(r.ok).toBe(false);
    expect(r.failed[0].message).toMatch(/changed locally/);
    expect(await readTree(root)).toEqual({ 'edit.txt': 'user typed this meanwhile', 'extra.txt': 'e' });
    engine.close();
  });
});
