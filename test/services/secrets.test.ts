// Secrets live only in main: a profile's secret key never appears in anything that leaves the
// services — IPC responses, events, the activity log, files in the data directory, or console
// output — across a whole session, including failures. The test server has an account whose
// secret is distinctive enough to grep for.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppServices, createRouter } from '../../src/main/services/app-services';
import { newBucket, rawClient, s3env, tmpDir, writeTree } from '../helpers';
import { RecordingSink, fakeHooks, fakeSecrets } from './fakes';

const SECRET = 'Vq7-s3lync-distinctive-secret-4e9';
const ACCESS = 'vault:keeper';
const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe('secrets', () => {
  it('never leave main: responses, events, activity, data files and console output are clean', async () => {
    if (process.env.S3LYNC_TEST_ENDPOINT) return; // the distinctive account exists on our own test server only
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' '))));
    const dataDir = await tmpDir('userdata');
    const sink = new RecordingSink();
    const { hooks, calls } = fakeHooks();
    const services = await AppServices.create({ dataDir, secrets: fakeSecrets, hooks, sink, background: false });
    const route = createRouter(services.handlers);
    const responses: unknown[] = [];
    const call = async (channel: string, payload: unknown) => {
      const r = await route(channel, payload);
      responses.push(r);
      return r;
    };
    const e = s3env();
    const good = (await call('profiles:save', { name: 'Vault', kind: 'access-key', awsProfile: null, accessKeyId: ACCESS, secretAccessKey: SECRET, endpoint: e.endpoint, region: e.region, pathStyle: true })) as { ok: true; value: { id: string } };
    expect(good.ok).toBe(true);
    expect(await call('profiles:test', { id: good.value.id })).toMatchObject({ ok: true, value: { ok: true } });
    // The same secret with a typo'd key id: failures must not echo the secret either.
    const typo = (await call('profiles:save', { name: 'Typo', kind: 'access-key', awsProfile: null, accessKeyId: 'vault:nobody', secretAccessKey: SECRET, endpoint: e.endpoint, region: e.region, pathStyle: true })) as { ok: true; value: { id: string } };
    await call('profiles:test', { id: typo.value.id });
    const local = await tmpDir('pair');
    await writeTree(local, { 'a.txt': 'a' });
    for (const profileId of [good.value.id, typo.value.id]) {
      const folder = await tmpDir('pair');
      await writeTree(folder, { 'a.txt': 'a' });
      const pair = (await call('pairs:create', { localPath: folder, remote: `s3://${bucket}/${profileId}/`, direction: 'push', exclude: [], profileId, enabled: true })) as { ok: true; value: { id: string } };
      await call('pairs:plan', { id: pair.value.id, mode: 'force', direction: 'push' });
      await call('pairs:sync', { id: pair.value.id });
      await call('browse:list', { profileId, bucket: null, prefix: '' });
    }
    // Editing without a new secret keeps the stored one.
    await call('profiles:save', { id: good.value.id, name: 'Vault renamed', kind: 'access-key', awsProfile: null, accessKeyId: ACCESS, secretAccessKey: null, endpoint: e.endpoint, region: e.region, pathStyle: true });
    expect(await call('profiles:test', { id: good.value.id })).toMatchObject({ ok: true, value: { ok: true } });
    await call('app:get-state', {});
    await services.shutdown();
    for (const s of spies) s.mockRestore();

    const haystacks: Array<[string, string]> = [
      ['IPC responses', JSON.stringify(responses)],
      ['events', JSON.stringify(sink.events)],
      ['notifications', JSON.stringify(calls.notify)],
      ['console', printed.join('\n')],
    ];
    for (const f of await filesUnder(dataDir)) haystacks.push([`file ${path.relative(dataDir, f)}`, await fs.readFile(f, 'latin1')]);
    expect(haystacks.length).toBeGreaterThan(6);
    for (const [where, text] of haystacks) {
      expect(text.includes(SECRET), `the secret leaked into ${where}`).toBe(false);
      expect(text.includes(Buffer.from(SECRET).toString('base64')), `the secret (base64) leaked into ${where}`).toBe(false);
    }
  });
});
