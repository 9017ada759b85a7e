// The main-process services on the real S3 server: pairs, plans, force-sync, profiles with
// encrypted secrets, persistence that survives a corrupt file, and the validating router.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices, createRouter } from '../../src/main/services/app-services';
import { newBucket, putObject, rawClient, readTree, remoteTree, s3env, tmpDir, writeTree } from '../helpers';
import { RecordingSink, fakeHooks, fakeSecrets } from './fakes';

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

async function setup() {
  const dataDir = await tmpDir('userdata');
  const sink = new RecordingSink();
  const { hooks, calls } = fakeHooks();
  const services = await AppServices.create({ dataDir, secrets: fakeSecrets, hooks, sink, background: false });
  const call = createRouter(services.handlers);
  const invoke = async (channel: string, payload: unknown) => {
    const r = await call(channel, payload);
    if (!r.ok) throw new Error(r.message);
    return r.value as never;
  };
  const e = s3env();
  const profile = (await invoke('profiles:save', {
    name: 'Test server',
    kind: 'access-key',
    awsProfile: null,
    accessKeyId: e.accessKeyId,
    secretAccessKey: e.secretAccessKey,
    endpoint: e.endpoint,
    region: e.region,
    pathStyle: true,
  })) as { id: string };
  return { dataDir, sink, calls, services, call, invoke, profileId: profile.id };
}

describe('app services', () => {
  it('pairs a folder, shows pending counts, syncs, and reports state events', async () => {
    const { invoke, profileId, sink, services } = await setup();
    const local = await tmpDir('pair');
    await writeTree(local, { 'a.txt': 'a', 'sub/b.txt': 'b' });
    const pair = await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/p1/`, direction: 'push', exclude: [], profileId, enabled: true });
    const preview = (await invoke('pairs:plan', { id: (pair as { id: string }).id, mode: 'sync' })) as { planId: string; plan: { operations: unknown[] } };
    expect(preview.plan.operations).toHaveLength(2);
    const states = sink.of('pair:state');
    expect(states.at(-1)).toMatchObject({ status: 'pending', pending: { upload: 2, download: 0, delete: 0 } });
    const result = (await invoke('pairs:run-plan', { planId: preview.planId })) as { ok: boolean };
    expect(result.ok).toBe(true);
    expect(await remoteTree(client, bucket, 'p1/')).toEqual({ 'a.txt': 'a', 'sub/b.txt': 'b' });
    expect(sink.of('pair:state').at(-1)).toMatchObject({ status: 'in-sync', lastSummary: '2 uploaded' });
    expect(services.overall()).toBe('in-sync');
    // A confirmed plan runs once.
    await expect(invoke('pairs:run-plan', { planId: preview.planId })).rejects.toThrow(/out of date/);
  });

  it('force-sync previews deletions and runs exactly the confirmed plan', async () => {
    const { invoke, profileId, calls } = await setup();
    const local = await tmpDir('force');
    await writeTree(local, { 'keep.txt': 'k' });
    await putObject(client, bucket, 'p2/keep.txt', 'k');
    await putObject(client, bucket, 'p2/extra.txt', 'x');
    const pair = (await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/p2/`, direction: 'pull', exclude: [], profileId, enabled: true })) as { id: string };
    const preview = (await invoke('pairs:plan', { id: pair.id, mode: 'force', direction: 'push' })) as { planId: string; plan: { operations: Array<{ kind: string; path: string }> } };
    expect(preview.plan.operations).toEqual([expect.objectContaining({ kind: 'delete-remote', path: 'extra.txt' })]);
    // A file added after the preview is not part of what the user confirmed.
    await writeTree(local, { 'later.txt': 'l' });
    const r = (await invoke('pairs:run-plan', { planId: preview.planId })) as { ok: boolean };
    expect(r.ok).toBe(true);
    expect(await remoteTree(client, bucket, 'p2/')).toEqual({ 'keep.txt': 'k' });
    expect(calls.notify.map((n) => n[0])).toContain('Force sync finished');
  });

  it('a wrong secret gives a clear error state and an activity entry', async () => {
    const { invoke, sink } = await setup();
    const e = s3env();
    const bad = (await invoke('profiles:save', { name: 'Bad', kind: 'access-key', awsProfile: null, accessKeyId: e.accessKeyId, secretAccessKey: 'wrong', endpoint: e.endpoint, region: e.region, pathStyle: true })) as { id: string };
    const test = (await invoke('profiles:test', { id: bad.id })) as { ok: boolean; message: string };
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/secret key|credentials/);
    const local = await tmpDir('bad');
    const pair = (await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/p3/`, direction: 'push', exclude: [], profileId: bad.id, enabled: true })) as { id: string };
    await expect(invoke('pairs:sync', { id: pair.id })).rejects.toThrow(/secret key|credentials/);
    expect(sink.of('pair:state').at(-1)).toMatchObject({ status: 'error' });
    expect(sink.of('activity:added').at(-1)).toMatchObject({ level: 'error' });
  });

  it('never sends or stores the secret in clear', async () => {
    const { invoke, dataDir, sink } = await setup();
    const snapshot = JSON.stringify(await invoke('app:get-state', {}));
    const secret = s3env().secretAccessKey;
    expect(snapshot).not.toContain(`"${secret}"`);
    expect(snapshot).toContain('"hasSecret":true');
    expect(JSON.stringify(sink.events)).not.toContain(`"${secret}"`);
    const files = await readTree(dataDir);
    for (const [name, content] of Object.entries(files)) expect(content, name).not.toContain(`"${secret}"`);
  });

  it('editing a profile without retyping the key id or secret keeps both', async () => {
    const { invoke, profileId } = await setup();
    const e = s3env();
    const renamed = (await invoke('profiles:save', { id: profileId, name: 'Renamed', kind: 'access-key', awsProfile: null, accessKeyId: null, secretAccessKey: null, endpoint: e.endpoint, region: e.region, pathStyle: true })) as { name: string; accessKeyHint: string };
    expect(renamed.name).toBe('Renamed');
    expect((await invoke('profiles:test', { id: profileId })) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it('keeps the other pairs when one pair file is corrupt', async () => {
    const { invoke, profileId, dataDir } = await setup();
    const a = await tmpDir('a');
    const b = await tmpDir('b');
    const pa = (await invoke('pairs:create', { localPath: a, remote: `s3://${bucket}/pa/`, direction: 'push', exclude: [], profileId, enabled: true })) as { id: string };
    await invoke('pairs:create', { localPath: b, remote: `s3://${bucket}/pb/`, direction: 'push', exclude: [], profileId, enabled: true });
    await fs.writeFile(path.join(dataDir, 'pairs', `${pa.id}.json`), '{ not json');
    const { hooks } = fakeHooks();
    const again = await AppServices.create({ dataDir, secrets: fakeSecrets, hooks, sink: new RecordingSink(), background: false });
    const snap = await again.handlers['app:get-state']({});
    expect(snap.pairs.map((p) => p.localPath)).toEqual([b]);
    expect(snap.activity[0].message).toMatch(/set aside/);
    expect((await fs.readdir(path.join(dataDir, 'pairs'))).some((n) => n.includes('unreadable'))).toBe(true);
  });

  it('refuses overlapping pairs, files, and object URIs with clear sentences', async () => {
    const { invoke, profileId } = await setup();
    const root = await tmpDir('overlap');
    await fs.mkdir(path.join(root, 'inner'));
    await invoke('pairs:create', { localPath: root, remote: `s3://${bucket}/o/`, direction: 'push', exclude: [], profileId, enabled: true });
    await expect(invoke('pairs:create', { localPath: path.join(root, 'inner'), remote: `s3://${bucket}/o2/`, direction: 'push', exclude: [], profileId, enabled: true })).rejects.toThrow(/overlaps/);
    const other = await tmpDir('other');
    await expect(invoke('pairs:create', { localPath: other, remote: `s3://${bucket}/file.txt`, direction: 'push', exclude: [], profileId, enabled: true })).rejects.toThrow(/end the S3 URI with "\/"/);
    await expect(invoke('pairs:create', { localPath: other, remote: `s3://${bucket}/x/`, direction: 'push', exclude: ['('], profileId, enabled: true })).rejects.toThrow(/regular expression/);
  });

  it('the router rejects unknown channels and malformed payloads before any handler runs', async () => {
    const { call } = await setup();
    expect(await call('pairs:delete-everything', {})).toMatchObject({ ok: false, error: 'InvalidRequest' });
    expect(await call('pairs:create', { localPath: 42 })).toMatchObject({ ok: false, error: 'InvalidRequest' });
    expect(await call('pairs:sync', { id: '../../etc' })).toMatchObject({ ok: false, error: 'InvalidRequest' });
    expect(await call('pairs:sync', { id: 'abc', extra: true })).toMatchObject({ ok: false, error: 'InvalidRequest' });
    expect(await call('settings:update', { concurrency: -1 })).toMatchObject({ ok: false });
    const missing = await call('pairs:sync', { id: 'abc' });
    expect(missing).toMatchObject({ ok: false, message: 'That pair no longer exists.' });
  });

  it('browses buckets and prefixes with the profile', async () => {
    const { invoke, profileId } = await setup();
    await putObject(client, bucket, 'browse/dir/x.txt', 'x');
    await putObject(client, bucket, 'browse/top.txt', 't');
    const buckets = (await invoke('browse:list', { profileId, bucket: null, prefix: '' })) as { entries: Array<{ name: string }> };
    expect(buckets.entries.map((b) => b.name)).toContain(bucket);
    const inside = (await invoke('browse:list', { profileId, bucket, prefix: 'browse/' })) as { entries: Array<{ name: string; kind: string }> };
    expect(inside.entries).toEqual([
      { name: 'browse/dir/', kind: 'prefix' },
      { name: 'browse/top.txt', kind: 'object', size: 1 },
    ]);
  });
});
