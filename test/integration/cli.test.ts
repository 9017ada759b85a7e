// The CLI as a user runs it (the built dist/cli/s3lync.js), against the real S3 server.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { jsonLines, newBucket, putObject, rawClient, readTree, remoteTree, runCli, s3env, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;
let env: Record<string, string>;

beforeAll(async () => {
  bucket = await newBucket(client);
  const home = await tmpDir('home');
  env = { XDG_DATA_HOME: path.join(home, 'data'), XDG_CACHE_HOME: path.join(home, 'cache') };
});
afterAll(() => client.destroy());
const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}/`;
const common = ['--path-style'];
const CLI_PATH = path.join(__dirname, '..', '..', 'dist', 'cli', 's3lync.js');

describe('s3lync CLI', () => {
  it('push, no-op push, pull, with human output and exit 0', async () => {
    const prefix = uniq('cli');
    const src = await tmpDir('src');
    await writeTree(src, { 'a.txt': 'alpha', 'd/b.txt': 'bravo' });
    const push = await runCli(['push', src, `s3://${bucket}/${prefix}`, ...common], env);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/upload: a\.txt/);
    expect(push.stdout).toMatch(/Done: 2 uploaded/);
    const again = await runCli(['push', src, `s3://${bucket}/${prefix}`, ...common], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Done: 2 unchanged/);
    const dst = await tmpDir('dst');
    const pull = await runCli(['pull', `s3://${bucket}/${prefix}`, dst, ...common], env);
    expect(pull.code).toBe(0);
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'd/b.txt': 'bravo' });
  });

  it('--dry-run prints each operation with its reason and changes nothing', async () => {
    const prefix = uniq('dry');
    const src = await tmpDir('src');
    await writeTree(src, { 'n.txt': 'new' });
    await putObject(client, bucket, `${prefix}old.txt`, 'old');
    const r = await runCli(['push', src, `s3://${bucket}/${prefix}`, '--force', '--dry-run', ...common], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/upload\s+n\.txt.*new local file/);
    expect(r.stdout).toMatch(/delete\s+old\.txt.*mirror/);
    expect(r.stdout).toMatch(/Nothing was changed/);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'old.txt': 'old' });
  });

  it('--json prints one object per event and a summary with counts', async () => {
    const prefix = uniq('json');
    const src = await tmpDir('src');
    await writeTree(src, { 'x.txt': 'x', 'skip.tmp': 's' });
    const r = await runCli(['push', src, `s3://${bucket}/${prefix}`, '--json', '--exclude', '\\.tmp$', ...common], env);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0].event).toBe('plan');
    expect(events.some((e) => e.event === 'operation-done' && e.path === 'x.txt')).toBe(true);
    const summary = events.at(-1)!;
    expect(summary.event).toBe('summary');
    expect(summary.ok).toBe(true);
    expect(summary.counts).toMatchObject({ uploaded: 1, deleted: 0, failed: 0 });
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'x.txt': 'x' });
  });

  it('pull without a local path uses $XDG_CACHE_HOME/s3lync/<bucket>/<key>', async () => {
    const prefix = uniq('cache');
    await putObject(client, bucket, `${prefix}f.txt`, 'cached');
    const r = await runCli(['pull', `s3://${bucket}/${prefix}f.txt`, ...common], env);
    expect(r.code).toBe(0);
    expect(await fs.readFile(path.join(env.XDG_CACHE_HOME, 's3lync', bucket, ...`${prefix}f.txt`.split('/')), 'utf8')).toBe('cached');
  });

  it('exists: 0 for an object or a non-empty prefix, 1 otherwise', async () => {
    const prefix = uniq('ex');
    await putObject(client, bucket, `${prefix}o.txt`, 'o');
    expect((await runCli(['exists', `s3://${bucket}/${prefix}o.txt`, ...common], env)).code).toBe(0);
    expect((await runCli(['exists', `s3://${bucket}/${prefix}`, ...common], env)).code).toBe(0);
    expect((await runCli(['exists', `s3://${bucket}/${prefix.slice(0, -1)}`, ...common], env)).code).toBe(0);
    const missing = await runCli(['exists', `s3://${bucket}/${prefix}nope`, ...common], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/does not exist/);
  });

  it('rm deletes an object, or everything under a prefix', async () => {
    const prefix = uniq('rm');
    for (const k of ['a', 'b/c', 'b/d', 'keep']) await putObject(client, bucket, prefix + k, k);
    expect((await runCli(['rm', `s3://${bucket}/${prefix}a`, ...common], env)).code).toBe(0);
    const r = await runCli(['rm', `s3://${bucket}/${prefix}b`, ...common], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Deleted 2 objects/);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ keep: 'keep' });
    const none = await runCli(['rm', `s3://${bucket}/${prefix}zzz`, ...common], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Nothing to delete/);
  });

  it('usage errors exit 2 with a sentence, no stack trace, nothing written', async () => {
    const dst = await tmpDir('dst');
    for (const args of [
      ['push'],
      ['pull', 'not-a-uri', dst],
      ['push', path.join(dst, 'missing'), `s3://${bucket}/x/`],
      ['push', dst, 's3://'],
      ['frobnicate'],
      ['push', dst, `s3://${bucket}/x/`, '--max-delete', 'lots'],
      ['push', dst, `s3://${bucket}/x/`, '--exclude', '('],
      ['push', dst, `s3://${bucket}/x/`, '--bogus'],
    ]) {
      const r = await runCli([...args, ...common], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^s3lync: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await fs.readdir(dst)).toEqual([]);
  });

  it('distinct, clear failures: missing bucket, wrong credentials, missing key, unreachable endpoint', async () => {
    const dst = await tmpDir('dst');
    const noBucket = await runCli(['pull', 's3://no-such-bucket-s3lync/x/', dst, ...common], env);
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toMatch(/bucket "no-such-bucket-s3lync" does not exist/);
    const badKey = await runCli(['pull', `s3://${bucket}/x/`, dst, ...common], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/secret key|credentials/);
    const missing = await runCli(['pull', `s3://${bucket}/definitely/missing.txt`, dst, ...common], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Nothing to pull/);
    const down = await runCli(['exists', `s3://${bucket}/x`, '--endpoint', 'http://127.0.0.1:9', ...common], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/refused/);
    for (const r of [noBucket, badKey, missing, down]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await fs.readdir(dst)).toEqual([]);
  });

  it('--force pull mirrors, and the guard stops an empty-source mirror with advice', async () => {
    const prefix = uniq('fp');
    const dst = await tmpDir('dst');
    await writeTree(dst, { 'extra.txt': 'e', 'same.txt': 's' });
    await putObject(client, bucket, `${prefix}same.txt`, 's');
    const r = await runCli(['pull', `s3://${bucket}/${prefix}`, dst, '--force', ...common], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trash: extra\.txt/);
    expect(await readTree(dst)).toEqual({ 'same.txt': 's' });
  });

  it('watch --mode push: a file written while it runs reaches S3; Ctrl-C stops it cleanly', async () => {
    const prefix = uniq('watch');
    const src = await tmpDir('src');
    await writeTree(src, { 'first.txt': 'before' });
    const e = s3env();
    const child = spawn(process.execPath, [CLI_PATH, 'watch', src, `s3://${bucket}/${prefix}`, '--mode', 'push', '--json', ...common], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey, AWS_REGION: e.region, AWS_ENDPOINT_URL: e.endpoint, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const until = async (what: string, check: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 300; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}; output so far:\n${stdout}`);
    };
    try {
      await until('the watcher to start', () => stdout.includes('"event":"watching"'));
      await until('the first sync', async () => (await remoteTree(client, bucket, prefix))['first.txt'] === 'before');
      await fs.writeFile(path.join(src, 'later.txt'), 'written while watching');
      await until('the new file on S3', async () => (await remoteTree(client, bucket, prefix))['later.txt'] === 'written while watching');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(jsonLines(stdout).at(-1)?.event).toBe('stopped');
  });
});
