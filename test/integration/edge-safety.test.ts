// Edge cases found in review, each a way a user could have lost data or been told something false.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../src/main/sync/s3';
import { engineFor, newBucket, putObject, rawClient, readTree, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());
const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}/`;

describe('edge safety', () => {
  it('a local name that cannot come back from S3 (Icon\\r) is never deleted by two-way sync', async () => {
    const root = await tmpDir('icon');
    await writeTree(root, { 'Icon\r': 'finder icon', 'a.txt': 'a' });
    const engine = engineFor(await tmpDir('d'));
    const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/${uniq('icon')}` };
    await engine.sync(spec);
    const second = await engine.sync(spec);
    expect(second.plan.operations.filter((o) => o.kind === 'delete-local')).toEqual([]);
    expect(await fs.readFile(path.join(root, 'Icon\r'), 'utf8')).toBe('finder icon');
    engine.close();
  });

  it('a local symbolic link is not a deletion: push --force keeps the object of that name; pull skips it', async () => {
    const root = await tmpDir('link');
    const elsewhere = await tmpDir('target');
    await writeTree(elsewhere, { 'real.txt': 'real' });
    await writeTree(root, { 'a.txt': 'a' });
    await fs.symlink(path.join(elsewhere, 'real.txt'), path.join(root, 'shortcut.txt'));
    const prefix = uniq('link');
    await putObject(client, bucket, `${prefix}shortcut.txt`, 'an object with the link name');
    const engine = engineFor(await tmpDir('d'));
    const push = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}`, mirror: true });
    expect(push.plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(['upload a.txt']);
    expect((await listAll(client, bucket, prefix)).map((o) => o.key.slice(prefix.length)).sort()).toEqual(['a.txt', 'shortcut.txt']);
    const pull = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(pull.ok).toBe(true); // skipped and reported, not a failure on every run
    expect(pull.plan.skipped.map((k) => `${k.kind} ${k.path}`)).toContain('symlink shortcut.txt');
    expect(await fs.readFile(path.join(elsewhere, 'real.txt'), 'utf8')).toBe('real');
    engine.close();
  });

  it('a stale s3lync-md5 in the metadata never outranks a real MD5 ETag', async () => {
    const root = await tmpDir('stale');
    await writeTree(root, { 'doc.txt': 'local content' });
    const prefix = uniq('stale');
    // Another tool replaced the bytes but kept our metadata: the ETag is the truth.
    await putObject(client, bucket, `${prefix}doc.txt`, 'other content', { 's3lync-md5': createHash('md5').update('local content').digest('hex') });
    const engine = engineFor(await tmpDir('d'));
    const plan = (await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan.operations.map((o) => o.kind)).toEqual(['upload']);
    engine.close();
  });

  it('two-way refuses to run when a folder that was synced before is missing (unmounted disk)', async () => {
    const parent = await tmpDir('mount');
    const root = path.join(parent, 'disk');
    await writeTree(root, { 'a.txt': 'a', 'b.txt': 'b' });
    const engine = engineFor(await tmpDir('d'));
    const spec = { direction: 'sync' as const, localPath: root, remote: `s3://${bucket}/${uniq('mount')}` };
    await engine.sync(spec);
    await fs.rm(root, { recursive: true });
    await expect(engine.sync(spec)).rejects.toThrow(/is missing \(an unmounted disk\?\)/);
    await expect(fs.stat(root)).rejects.toThrow(); // not recreated on the wrong disk
    engine.close();
  });

  it('an unrelated file at the conflict name is never taken for the conflict copy', async () => {
    const root = await tmpDir('cname');
    const prefix = uniq('cname');
    await writeTree(root, { 'n.txt': 'mine' });
    await putObject(client, bucket, `${prefix}n.txt`, 'theirs');
    const engine = engineFor(await tmpDir('d'));
    const prepared = await engine.prepare({ direction: 'sync', localPath: root, remote: `s3://${bucket}/${prefix}` });
    const op = prepared.plan.operations.find((o) => o.kind === 'conflict')!;
    await fs.writeFile(path.join(root, op.conflictPath!), 'something else entirely');
    const r = await prepared.run();
    expect(r.ok).toBe(false);
    expect(await readTree(root)).toEqual({ 'n.txt': 'mine', [op.conflictPath!]: 'something else entirely' });
    engine.close();
  });
});
