// Pairs that sync by themselves: watchers, remote polling, the guard pausing a pair and asking
// the user, conflicts shown until dismissed.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { AppServices, createRouter } from '../../src/main/services/app-services';
import type { PairState } from '../../src/shared/model';
import { getText, newBucket, putObject, rawClient, readTree, s3env, tmpDir, writeTree } from '../helpers';
import { RecordingSink, fakeHooks, fakeSecrets } from './fakes';

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

async function until(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

async function start() {
  const dataDir = await tmpDir('userdata');
  const sink = new RecordingSink();
  const { hooks, calls } = fakeHooks();
  const services = await AppServices.create({ dataDir, secrets: fakeSecrets, hooks, sink });
  const call = createRouter(services.handlers);
  const invoke = async (channel: string, payload: unknown) => {
    const r = await call(channel, payload);
    if (!r.ok) throw new Error(r.message);
    return r.value as never;
  };
  const e = s3env();
  const profile = (await invoke('profiles:save', { name: 'S3', kind: 'access-key', awsProfile: null, accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey, endpoint: e.endpoint, region: e.region, pathStyle: true })) as { id: string };
  const lastState = (id: string) => sink.of('pair:state').filter((s) => s.pairId === id).at(-1) as PairState | undefined;
  return { services, invoke, sink, calls, profileId: profile.id, lastState };
}

describe('background sync', () => {
  it('a two-way pair sends local edits and receives remote changes by itself', async () => {
    const { services, invoke, profileId, lastState } = await start();
    const local = await tmpDir('bg');
    await writeTree(local, { 'start.txt': 'initial' });
    const pair = (await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/bg1/`, direction: 'sync', exclude: [], profileId, enabled: true, pollSeconds: 5 })) as { id: string };
    await until(async () => (await getText(client, bucket, 'bg1/start.txt').catch(() => '')) === 'initial');
    await writeTree(local, { 'edited.txt': 'typed in the folder' });
    await until(async () => (await getText(client, bucket, 'bg1/edited.txt').catch(() => '')) === 'typed in the folder');
    await putObject(client, bucket, 'bg1/remote.txt', 'from another machine');
    await until(async () => (await fs.readFile(path.join(local, 'remote.txt'), 'utf8').catch(() => '')) === 'from another machine');
    await until(() => lastState(pair.id)?.status === 'in-sync');
    await services.shutdown();
  });

  it('pauses a pair whose sync the deletion guard stopped, and goes on once the user allows it', async () => {
    const { services, invoke, profileId, lastState, calls } = await start();
    const local = await tmpDir('guard');
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    await writeTree(local, files);
    const pair = (await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/bg2/`, direction: 'sync', exclude: [], profileId, enabled: true, pollSeconds: 5 })) as { id: string };
    await until(async () => (await getText(client, bucket, 'bg2/f11.txt').catch(() => '')) === 'file 11');
    await until(() => lastState(pair.id)?.status === 'in-sync');
    for (let i = 0; i < 8; i++) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `bg2/f${i}.txt` }));
    await until(() => !!lastState(pair.id)?.held, 30_000);
    expect(lastState(pair.id)).toMatchObject({ status: 'paused', held: expect.stringMatching(/more than half/) });
    expect(Object.keys(await readTree(local))).toHaveLength(12); // nothing deleted
    expect(calls.notify.some(([t]) => t === 's3lync needs you')).toBe(true);
    const preview = (await invoke('pairs:plan', { id: pair.id, mode: 'sync', allowDeletions: true })) as { planId: string; plan: { guard: unknown; operations: unknown[] } };
    expect(preview.plan.guard).toBeNull();
    expect(preview.plan.operations).toHaveLength(8);
    const r = (await invoke('pairs:run-plan', { planId: preview.planId })) as { ok: boolean };
    expect(r.ok).toBe(true);
    expect(Object.keys(await readTree(local))).toHaveLength(4);
    expect(lastState(pair.id)).toMatchObject({ held: null });
    await services.shutdown();
  });

  it('shows conflicts until dismissed, and opens the folder of a conflict copy', async () => {
    const { services, invoke, profileId, lastState, calls } = await start();
    await services.pauseAll(true);
    const local = await tmpDir('conflict');
    await writeTree(local, { 'doc.txt': 'mine' });
    await putObject(client, bucket, 'bg3/doc.txt', 'theirs');
    const pair = (await invoke('pairs:create', { localPath: local, remote: `s3://${bucket}/bg3/`, direction: 'sync', exclude: [], profileId, enabled: true })) as { id: string };
    const r = (await invoke('pairs:sync', { id: pair.id })) as { ok: boolean };
    expect(r.ok).toBe(true);
    const st = lastState(pair.id)!;
    expect(st.conflicts).toHaveLength(1);
    expect(st.conflicts[0]).toMatch(/^doc \(conflict .+\)\.txt$/);
    expect(services.overall()).toBe('conflict');
    expect(await fs.readFile(path.join(local, 'doc.txt'), 'utf8')).toBe('theirs');
    expect(await fs.readFile(path.join(local, st.conflicts[0]), 'utf8')).toBe('mine');
    await invoke('pairs:open-folder', { id: pair.id, path: st.conflicts[0] });
    expect(calls.opened).toEqual([local]);
    await expect(invoke('pairs:open-folder', { id: pair.id, path: '../../etc/passwd' })).rejects.toThrow(/not inside/);
    await invoke('pairs:dismiss-conflicts', { id: pair.id });
    expect(lastState(pair.id)!.conflicts).toEqual([]);
    await services.shutdown();
  });
});
