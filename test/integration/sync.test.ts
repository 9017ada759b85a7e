// One-way sync against the real S3 server and real temp folders.
import { CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashMismatchError } from '../../src/main/sync/errors';
import { MiB } from '../../src/main/sync/md5';
import { engineFor, getText, newBucket, putObject, rawClient, readTree, referenceCompositeEtag, remoteTree, s3env, tmpDir, writeAgedTree, writeTree } from '../helpers';
import { createS3Client } from '../../src/main/sync/s3';
import { startFaultProxy } from '../faults/proxy';
import { gcBallastHeld } from '../../src/main/sync/memory';
import { disableDirect, observeDirect } from '../../src/main/sync/direct';

const client = rawClient();
let bucket: string;
let data: string;

beforeAll(async () => {
  bucket = await newBucket(client);
  data = await tmpDir('data');
});
afterAll(() => client.destroy());

async function fresh(prefix: string) {
  const root = await tmpDir('local');
  return { root, prefix: `${prefix}-${randomBytes(3).toString('hex')}/` };
}

/** Uploads like another tool would: in parts, no metadata. */
async function putMultipart(key: string, body: Buffer, partSize: number, metadata?: Record<string, string>) {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata }));
  const parts = [];
  for (let i = 0, n = 1; i < body.length; i += partSize, n++) {
    const r = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body.subarray(i, i + partSize) }));
    parts.push({ ETag: r.ETag, PartNumber: n });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

/** A client that counts the HEAD and GET requests it sends. */
function counted() {
  const e = s3env();
  const c = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } });
  const seen = { heads: 0, gets: 0 };
  c.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'HeadObjectCommand') seen.heads++;
      if (context.commandName === 'GetObjectCommand') seen.gets++;
      return next(args);
    },
    { step: 'initialize' },
  );
  // Calls answered directly (direct.ts) bypass the middleware; they are counted too.
  observeDirect(c, (command) => {
    if (command === 'HeadObjectCommand') seen.heads++;
    if (command === 'GetObjectCommand') seen.gets++;
  });
  return { c, seen };
}

describe('push and pull', () => {
  it('pushes a folder, then transfers nothing when nothing changed, then only the edited file', async () => {
    const { root, prefix } = await fresh('push');
    await writeTree(root, { 'a.txt': 'alpha', 'sub/b.txt': 'bravo', 'sub/deep/c.txt': 'charlie' });
    const engine = engineFor(data);
    const first = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(first.ok).toBe(true);
    expect(first.completed.upload).toBe(3);
    expect(await remoteTree(client, bucket, prefix)).toEqual({ 'a.txt': 'alpha', 'sub/b.txt': 'bravo', 'sub/deep/c.txt': 'charlie' });

    const again = await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(again.plan.operations).toEqual([]);
    expect(again.plan.counts.unchanged).toBe(3);

    // Same size, same second: only the MD5 can tell.
    const st = await fs.stat(path.join(root, 'sub/b.txt'));
    await fs.writeFile(path.join(root, 'sub/b.txt'), 'BRAVO');
    await fs.utimes(path.join(root, 'sub/b.txt'), st.atime, st.mtime);
    const edit = await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(edit.plan.operations.map((o) => [o.kind, o.path])).toEqual([['upload', 'sub/b.txt']]);
    expect(edit.plan.operations[0].reason).toMatch(/MD5/);
    expect((await edit.run()).ok).toBe(true);
    expect(await getText(client, bucket, `${prefix}sub/b.txt`)).toBe('BRAVO');
    engine.close();
  });

  it('sends no HEAD for a file edited since the last sync: its ETag is the MD5 it had then', async () => {
    const { root, prefix } = await fresh('edit-no-head');
    await writeAgedTree(root, { 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' });
    const dataDir = await tmpDir('d');
    const run = counted();
    const engine = engineFor(dataDir, { client: run.c });
    const remote = `s3://${bucket}/${prefix}`;
    expect((await engine.sync({ direction: 'push', localPath: root, remote })).ok).toBe(true);
    const before = run.seen.heads;
    // Same sizes, new content and times.
    await fs.writeFile(path.join(root, 'a.txt'), 'ALPHA');
    await fs.writeFile(path.join(root, 'c.txt'), 'CHARLIE');
    const { plan } = await engine.prepare({ direction: 'push', localPath: root, remote });
    expect(plan.operations.map((o) => [o.kind, o.path, o.reason])).toEqual([
      ['upload', 'a.txt', 'content differs (MD5, ETag)'],
      ['upload', 'c.txt', 'content differs (MD5, ETag)'],
    ]);
    expect(plan.hashed).toBe(2);
    expect(run.seen.heads - before).toBe(0);
    engine.close();

    // With no memory of the file (another data folder), a plain-looking ETag that differs from
    // the local MD5 might be an SSE token: the object is still asked before calling it different.
    const fresh2 = counted();
    const other = engineFor(await tmpDir('d2'), { client: fresh2.c });
    const second = await other.prepare({ direction: 'push', localPath: root, remote });
    expect(second.plan.operations.map((o) => o.path)).toEqual(['a.txt', 'c.txt']);
    expect(fresh2.seen.heads).toBe(2);
    other.close();
    run.c.destroy();
    fresh2.c.destroy();
  });

  it('stores the whole-file MD5 in x-amz-meta-s3lync-md5 with every upload', async () => {
    const { root, prefix } = await fresh('meta');
    await writeTree(root, { 'f.txt': 'metadata please' });
    const engine = engineFor(data);
    await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}f.txt` }));
    expect(head.Metadata?.['s3lync-md5']).toBe(createHash('md5').update('metadata please').digest('hex'));
    engine.close();
  });

  it('pulls a prefix into a folder, verifies it, and re-pulls a same-size remote edit', async () => {
    const { root, prefix } = await fresh('pull');
    await putObject(client, bucket, `${prefix}x.txt`, 'xray');
    await putObject(client, bucket, `${prefix}d/y.txt`, 'yankee');
    const engine = engineFor(data);
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(r.ok).toBe(true);
    expect(await readTree(root)).toEqual({ 'x.txt': 'xray', 'd/y.txt': 'yankee' });
    await putObject(client, bucket, `${prefix}x.txt`, 'XRAY');
    const again = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(again.completed.download).toBe(1);
    expect(await readTree(root)).toEqual({ 'x.txt': 'XRAY', 'd/y.txt': 'yankee' });
    engine.close();
  });

  it('pushes and pulls a single file', async () => {
    const { root, prefix } = await fresh('single');
    await writeTree(root, { 'one.txt': 'just one' });
    const engine = engineFor(data);
    expect((await engine.sync({ direction: 'push', localPath: path.join(root, 'one.txt'), remote: `s3://${bucket}/${prefix}renamed.txt` })).ok).toBe(true);
    expect(await getText(client, bucket, `${prefix}renamed.txt`)).toBe('just one');
    // To a prefix: the file keeps its name.
    await engine.sync({ direction: 'push', localPath: path.join(root, 'one.txt'), remote: `s3://${bucket}/${prefix}dir/` });
    expect(await getText(client, bucket, `${prefix}dir/one.txt`)).toBe('just one');
    const out = await tmpDir('single-out');
    await engine.sync({ direction: 'pull', remote: `s3://${bucket}/${prefix}renamed.txt`, localPath: path.join(out, 'copy.txt') });
    expect(await fs.readFile(path.join(out, 'copy.txt'), 'utf8')).toBe('just one');
    // Into an existing folder: the object's name.
    await engine.sync({ direction: 'pull', remote: `s3://${bucket}/${prefix}renamed.txt`, localPath: out });
    expect(await fs.readFile(path.join(out, 'renamed.txt'), 'utf8')).toBe('just one');
    engine.close();
  });

  it('uploads large files in parts with a verifiable composite ETag, then sees them as unchanged', async () => {
    const { root, prefix } = await fresh('mpu');
    const big = randomBytes(11 * MiB + 123);
    await writeTree(root, { 'big.bin': big });
    const engine = engineFor(data, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(r.ok).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}big.bin` }));
    expect(head.ETag).toMatch(/-3"$/);
    // The composite ETag of exactly these bytes, and the part size that lets anyone recompute it.
    expect(head.ETag).toBe(`"${referenceCompositeEtag(big, 5 * MiB)}"`);
    expect(head.Metadata?.['s3lync-part-size']).toBe(String(5 * MiB));
    const again = await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(again.plan.operations).toEqual([]);
    // A fresh data dir (no memory of the upload) decides by content, from the declared part size.
    const cold = engineFor(await tmpDir('cold'));
    const coldPlan = (await cold.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(coldPlan.operations).toEqual([]);
    expect(coldPlan.notes).toEqual([]);
    const edited = Buffer.from(big);
    edited[7 * MiB] ^= 1;
    await fs.writeFile(path.join(root, 'big.bin'), edited);
    const editedPlan = (await engineFor(await tmpDir('cold2')).prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(editedPlan.operations.map((o) => [o.kind, o.reason])).toEqual([['upload', 'content differs (multipart ETag recomputed locally)']]);
    await fs.writeFile(path.join(root, 'big.bin'), big);
    const out = await tmpDir('mpu-out');
    expect((await cold.sync({ direction: 'pull', localPath: out, remote: `s3://${bucket}/${prefix}` })).ok).toBe(true);
    expect((await fs.readFile(path.join(out, 'big.bin'))).equals(big)).toBe(true);
    engine.close();
    cold.close();
  });
});

describe('multipart uploads under memory pressure', () => {
  it("compute the file's true MD5 while parts wait for memory and finish out of order", async () => {
    const { root, prefix } = await fresh('mpu-mem');
    const body = randomBytes(33 * MiB + 17); // 7 parts of 5 MiB: more than the memory lets run at once
    await writeAgedTree(root, { 'big.bin': body });
    const dataDir = await tmpDir('d');
    const engine = engineFor(dataDir, { multipartThreshold: 5 * MiB, partSize: 5 * MiB, partConcurrency: 4, memoryBudget: 11 * MiB });
    expect((await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).ok).toBe(true);
    engine.close();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}big.bin` }));
    expect(head.ETag).toBe(`"${referenceCompositeEtag(body, 5 * MiB)}"`);
    // The MD5 the upload computed (and remembered in the hash cache) is the file's real one.
    const [cacheFile] = await fs.readdir(path.join(dataDir, 'hash-cache'));
    const cache = JSON.parse(await fs.readFile(path.join(dataDir, 'hash-cache', cacheFile), 'utf8'));
    expect(cache.rows['big.bin'][3]).toBe(createHash('md5').update(body).digest('hex'));
  });
});

describe('large downloads (written in batches, hashed as they are written)', () => {
  it('hashes the bytes in file order: a 40 MiB single-part object verifies against its MD5 ETag', async () => {
    const { root, prefix } = await fresh('large-dl');
    const body = randomBytes(40 * MiB + 12345);
    await putObject(client, bucket, `${prefix}large.bin`, body);
    const engine = engineFor(await tmpDir('d'));
    const events: string[] = [];
    let ballastDuring = false;
    const look = setInterval(() => (ballastDuring ||= gcBallastHeld()), 2);
    const r = await engine.sync(
      { direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` },
      { onEvent: (e) => void (e.type === 'warning' && events.push(e.message)) },
    );
    clearInterval(look);
    expect(r.ok).toBe(true);
    expect(events).toEqual([]);
    expect(ballastDuring).toBe(true); // a large download holds the GC ballast…
    expect(gcBallastHeld()).toBe(false); // …and lets it go when done
    expect((await fs.readFile(path.join(root, 'large.bin'))).equals(body)).toBe(true);
    engine.close();
  });

  it('verifies a large multipart object by its declared part size, and refuses one that does not match', async () => {
    const { root, prefix } = await fresh('large-mpu');
    const body = randomBytes(35 * MiB + 7);
    await putMultipart(`${prefix}m.bin`, body, 7 * MiB, { 's3lync-part-size': String(7 * MiB) });
    // Six 7 MiB parts, but declared as 6 MiB + 1 B parts: a lie that still gives six parts.
    await putMultipart(`${prefix}lie.bin`, body, 7 * MiB, { 's3lync-part-size': String(6 * MiB + 1) });
    const engine = engineFor(await tmpDir('d'));
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect((await fs.readFile(path.join(root, 'm.bin'))).equals(body)).toBe(true);
    expect(r.failed.map((f) => [f.operation.path, f.error])).toEqual([['lie.bin', 'HashMismatchError']]);
    await expect(fs.access(path.join(root, 'lie.bin'))).rejects.toThrow();
    engine.close();
  });
});

describe('multipart objects written by other tools (no metadata)', () => {
  for (const [label, partSize] of [
    ['8 MiB parts (aws-cli)', 8 * MiB],
    ['6 MiB parts (size implied by N)', 6 * MiB],
  ] as const) {
    it(`recomputes the composite ETag: ${label}`, async () => {
      const { root, prefix } = await fresh('other');
      const body = randomBytes(17 * MiB + 5);
      await putMultipart(`${prefix}blob.bin`, body, partSize);
      const engine = engineFor(await tmpDir('d'));
      const out = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
      expect(out.ok).toBe(true);
      expect((await fs.readFile(path.join(root, 'blob.bin'))).equals(body)).toBe(true);
      // Equal now, decided by content (not assumed).
      const plan = (await engineFor(await tmpDir('d')).prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
      expect(plan.operations).toEqual([]);
      expect(plan.notes).toEqual([]);
      // A same-size local edit is seen as a change (seed defect 1: it was silently "equal").
      const edited = Buffer.from(body);
      edited[edited.length - 1] ^= 0xff;
      await fs.writeFile(path.join(root, 'blob.bin'), edited);
      const plan2 = (await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
      expect(plan2.operations.map((o) => o.kind)).toEqual(['upload']);
      expect(plan2.operations[0].reason).toMatch(/content differs/);
      engine.close();
    });
  }

  it('verifies a download by its composite ETag alone (one MD5 pass); the next no-op hashes nothing and sends no HEAD', async () => {
    const { root, prefix } = await fresh('composite-only');
    const body = randomBytes(40 * MiB + 5); // several 1 MiB write batches, past a part boundary
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    const etag = referenceCompositeEtag(body, 8 * MiB);
    // The download takes the object's time, and hashes of files younger than 2 s (whole-second
    // mtimes) are not remembered (racy): let the object age first (its time may be rounded up
    // to the next second).
    await new Promise((r) => setTimeout(r, 3100));
    const dataDir = await tmpDir('d');
    const first = counted();
    const e1 = engineFor(dataDir, { client: first.c });
    const warnings: string[] = [];
    const pulled = await e1.sync(
      { direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` },
      { onEvent: (ev) => void (ev.type === 'warning' && warnings.push(ev.message)) },
    );
    expect(pulled.ok).toBe(true);
    expect(warnings).toEqual([]);
    expect((await fs.readFile(path.join(root, 'blob.bin'))).equals(body)).toBe(true);
    expect(first.seen).toEqual({ heads: 0, gets: 1 });
    // Only the composite was computed (no whole-file MD5: that pass was skipped), and remembered
    // with the part size that verified it.
    const [cacheFile] = await fs.readdir(path.join(dataDir, 'hash-cache'));
    const cache = JSON.parse(await fs.readFile(path.join(dataDir, 'hash-cache', cacheFile), 'utf8'));
    expect(cache.rows['blob.bin'][3]).toBe('');
    expect(cache.rows['blob.bin'][4][8 * MiB]).toBe(etag); // (with the other candidate part sizes)
    const [knownFile] = await fs.readdir(path.join(dataDir, 'remote-cache'));
    const known = JSON.parse(await fs.readFile(path.join(dataDir, 'remote-cache', knownFile), 'utf8'));
    expect(known.rows[`${prefix}blob.bin`]).toEqual([etag, '', 8 * MiB]);
    e1.close();
    first.c.destroy();

    // The next runs decide from the listing and the caches: nothing read, nothing asked.
    const second = counted();
    const e2 = engineFor(dataDir, { client: second.c });
    for (const direction of ['push', 'pull'] as const) {
      const { plan } = await e2.prepare({ direction, localPath: root, remote: `s3://${bucket}/${prefix}` });
      expect(plan.operations).toEqual([]);
      expect(plan.notes).toEqual([]);
      expect(plan.hashed).toBe(0);
    }
    expect(second.seen.heads).toBe(0);
    // A same-size edit is still seen, by the composite with the remembered part size.
    const edited = Buffer.from(body);
    edited[9 * MiB] ^= 0xff;
    await fs.writeFile(path.join(root, 'blob.bin'), edited);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(path.join(root, 'blob.bin'), old, old);
    const { plan } = await e2.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(plan.operations.map((o) => [o.kind, o.reason])).toEqual([['upload', 'content differs (multipart ETag recomputed locally)']]);
    expect(plan.hashed).toBe(1);
    expect(second.seen.heads).toBe(0);
    // The upload is checked part by part (Content-MD5) and declares its part size, so any reader
    // can recompute its composite ETag.
    const pushed = await (await e2.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).run();
    expect(pushed.ok).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}blob.bin` }));
    expect(head.ETag).toBe(`"${referenceCompositeEtag(edited, 16 * MiB)}"`);
    expect(head.Metadata?.['s3lync-part-size']).toBe(String(16 * MiB));
    e2.close();
    second.c.destroy();
  });

  it('refuses a multipart download whose bytes were damaged on the way (composite mismatch)', async () => {
    const { root, prefix } = await fresh('composite-bad');
    const body = randomBytes(40 * MiB + 5);
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    await writeTree(root, { 'keep.txt': 'mine' });
    const proxy = await startFaultProxy(s3env().endpoint);
    try {
      const engine = engineFor(await tmpDir('d'), { endpoint: proxy.endpoint, maxAttempts: 1 });
      const prepared = await engine.prepare({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
      expect(prepared.plan.operations.map((o) => o.path)).toEqual(['blob.bin']);
      proxy.setFaults({ 'flip-response': 1 }, 7); // every GET body from now on has one byte flipped
      const r = await prepared.run();
      expect(proxy.injected['flip-response']).toBeGreaterThan(0);
      expect(r.ok).toBe(false);
      expect(r.failed.map((f) => [f.operation.path, f.error])).toEqual([['blob.bin', 'HashMismatchError']]);
      expect((await fs.readdir(root)).sort()).toEqual(['keep.txt']); // no temp file, no damaged file
      engine.close();
    } finally {
      await proxy.close();
    }
  });

  it('downloads a large multipart object in part-aligned ranges at once, verified by its composite ETag', async () => {
    const { root, prefix } = await fresh('ranged');
    const body = randomBytes(40 * MiB + 5); // 6 parts of 8 MiB: 3 ranges of 2 parts
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    const dataDir = await tmpDir('d');
    const { c, seen } = counted();
    const engine = engineFor(dataDir, { client: c, rangedDownloadThreshold: 16 * MiB });
    const warnings: string[] = [];
    let progress = 0;
    const r = await engine.sync(
      { direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` },
      { onEvent: (e) => void (e.type === 'warning' ? warnings.push(e.message) : e.type === 'progress' && (progress = e.progress.bytesDone)) },
    );
    expect(r.ok).toBe(true);
    expect(warnings).toEqual([]);
    expect(seen).toEqual({ heads: 0, gets: 3 });
    expect(progress).toBe(body.length);
    expect((await fs.readFile(path.join(root, 'blob.bin'))).equals(body)).toBe(true);
    expect(await fs.readdir(root)).toEqual(['blob.bin']); // no temp file left
    const [knownFile] = await fs.readdir(path.join(dataDir, 'remote-cache'));
    const known = JSON.parse(await fs.readFile(path.join(dataDir, 'remote-cache', knownFile), 'utf8'));
    expect(known.rows[`${prefix}blob.bin`]).toEqual([referenceCompositeEtag(body, 8 * MiB), '', 8 * MiB]);
    engine.close();
    c.destroy();
  });

  it('ranged download: a wrong part-size guess is corrected by hashing the file again (5 MiB + 2 B parts)', async () => {
    const { root, prefix } = await fresh('ranged-guess');
    const body = randomBytes(20 * MiB + 5); // 4 parts; 6 MiB parts would also give 4: the guess
    await putMultipart(`${prefix}blob.bin`, body, 5 * MiB + 2);
    const { c, seen } = counted();
    const engine = engineFor(await tmpDir('d'), { client: c, rangedDownloadThreshold: 16 * MiB });
    const warnings: string[] = [];
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` }, { onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) });
    expect(r.ok).toBe(true);
    expect(warnings).toEqual([]);
    expect(seen).toEqual({ heads: 0, gets: 4 });
    expect((await fs.readFile(path.join(root, 'blob.bin'))).equals(body)).toBe(true);
    engine.close();
    c.destroy();
  });

  it('ranged download: objects that need their whole MD5 (stated in metadata; two-way) continue in order after the first range', async () => {
    const { prefix } = await fresh('ranged-whole');
    const body = randomBytes(21 * MiB + 7);
    const md5 = createHash('md5').update(body).digest('hex');
    await putMultipart(`${prefix}stated.bin`, body, 5 * MiB, { 's3lync-md5': md5, 's3lync-part-size': String(5 * MiB) });
    await new Promise((r) => setTimeout(r, 3100)); // downloads take the object's time: let it age past the racy window
    for (const direction of ['pull', 'sync'] as const) {
      const into = await tmpDir(direction);
      const { c, seen } = counted();
      const engine = engineFor(await tmpDir('d'), { client: c, rangedDownloadThreshold: 16 * MiB });
      const r = await engine.sync({ direction, localPath: into, remote: `s3://${bucket}/${prefix}` });
      expect(r.ok).toBe(true);
      expect(seen).toEqual({ heads: 0, gets: 2 }); // the first range, then the rest
      expect((await fs.readFile(path.join(into, 'stated.bin'))).equals(body)).toBe(true);
      // Remembered with its whole-file MD5: the next run hashes nothing and changes nothing.
      const { plan } = await engine.prepare({ direction, localPath: into, remote: `s3://${bucket}/${prefix}` });
      expect(plan.operations).toEqual([]);
      expect(plan.hashed).toBe(0);
      engine.close();
      c.destroy();
    }
  });

  it('ranged download: a byte damaged in any range is refused, and nothing is left behind', async () => {
    const { root, prefix } = await fresh('ranged-bad');
    const body = randomBytes(40 * MiB + 5);
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    await writeTree(root, { 'keep.txt': 'mine' });
    const proxy = await startFaultProxy(s3env().endpoint);
    try {
      const engine = engineFor(await tmpDir('d'), { endpoint: proxy.endpoint, maxAttempts: 1, rangedDownloadThreshold: 16 * MiB });
      const prepared = await engine.prepare({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
      proxy.setFaults({ 'flip-response': 1 }, 11);
      const r = await prepared.run();
      expect(proxy.injected['flip-response']).toBeGreaterThanOrEqual(3);
      expect(r.ok).toBe(false);
      expect(r.failed.map((f) => [f.operation.path, f.error])).toEqual([['blob.bin', 'HashMismatchError']]);
      expect((await fs.readdir(root)).sort()).toEqual(['keep.txt']);
      engine.close();
    } finally {
      await proxy.close();
    }
  });

  it('ranged download: a connection cut in one range stops them all; no file, no temp file, progress taken back', async () => {
    const { root, prefix } = await fresh('ranged-cut');
    const body = randomBytes(40 * MiB + 5);
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    const proxy = await startFaultProxy(s3env().endpoint);
    try {
      const engine = engineFor(await tmpDir('d'), { endpoint: proxy.endpoint, maxAttempts: 1, rangedDownloadThreshold: 16 * MiB });
      const prepared = await engine.prepare({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
      proxy.setFaults({ truncate: 0.5 }, 5); // about half the ranges are cut halfway
      let progress = -1;
      const r = await prepared.run({ onEvent: (e) => void (e.type === 'progress' && (progress = e.progress.bytesDone)) });
      expect(proxy.injected.truncate).toBeGreaterThan(0);
      expect(r.ok).toBe(false);
      expect(r.failed.map((f) => f.operation.path)).toEqual(['blob.bin']);
      expect(progress).toBe(0);
      expect(await fs.readdir(root)).toEqual([]);
      engine.close();
    } finally {
      await proxy.close();
    }
  });

  it('says so, and compares size and time, when the part size cannot be found (5.5 MiB parts)', async () => {
    const { root, prefix } = await fresh('odd');
    const body = randomBytes(17 * MiB + 5); // 4 parts: 5 MiB is consistent with N but wrong
    await putMultipart(`${prefix}odd.bin`, body, 5.5 * MiB);
    await writeTree(root, { 'odd.bin': body });
    const old = new Date(Date.now() - 3600_000);
    await fs.utimes(path.join(root, 'odd.bin'), old, old);
    const engine = engineFor(await tmpDir('d'));
    const plan = (await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan.operations).toEqual([]);
    expect(plan.notes.join(' ')).toMatch(/compared by size and modification time, because the multipart ETag has an unknown part size/);
    // Edited later than the upload: the fallback sees it.
    const edited = Buffer.from(body);
    edited[0] ^= 1;
    await fs.writeFile(path.join(root, 'odd.bin'), edited);
    const later = new Date(Date.now() + 5000);
    await fs.utimes(path.join(root, 'odd.bin'), later, later);
    const plan2 = (await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan2.operations.map((o) => o.kind)).toEqual(['upload']);
    expect(plan2.operations[0].reason).toMatch(/newer/);
    // After our upload it carries s3lync-md5: decided by MD5 from then on.
    const pushed = await (await engine.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).run();
    expect(pushed.ok).toBe(true);
    const plan3 = (await engineFor(await tmpDir('d')).prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan3.operations).toEqual([]);
    expect(plan3.notes).toEqual([]);
    engine.close();
  });

  it('downloads an object no checksum can verify twice, and keeps it only when both copies agree', async () => {
    const { root, prefix } = await fresh('odd-dl');
    const body = randomBytes(17 * MiB + 5);
    await putMultipart(`${prefix}odd.bin`, body, 5.5 * MiB); // this server cannot tell the part size
    const { c, seen } = counted();
    const engine = engineFor(await tmpDir('d'), { client: c });
    const warnings: string[] = [];
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` }, { onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) });
    expect(r.ok).toBe(true);
    expect(seen.gets).toBe(2); // read twice
    expect((await fs.readFile(path.join(root, 'odd.bin'))).equals(body)).toBe(true);
    expect(warnings).toEqual(['odd.bin has no checksum S3 can vouch for (the part size of its multipart ETag cannot be found), so it was downloaded twice: both copies were identical.']);
    engine.close();
    c.destroy();
  });

  it('two-way: a downloaded multipart object keeps its whole MD5 in the base, so touching the file changes nothing', async () => {
    const { root, prefix } = await fresh('twoway-mpu');
    const body = randomBytes(17 * MiB + 5);
    await putMultipart(`${prefix}blob.bin`, body, 8 * MiB);
    const engine = engineFor(await tmpDir('d'));
    const first = await engine.sync({ direction: 'sync', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(first.ok).toBe(true);
    expect(first.completed.download).toBe(1);
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(root, 'blob.bin'), later, later); // same bytes, new time
    const { plan } = await engine.prepare({ direction: 'sync', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(plan.operations).toEqual([]);
    // And a real edit of the same size is an edit.
    const edited = Buffer.from(body);
    edited[1] ^= 1;
    await fs.writeFile(path.join(root, 'blob.bin'), edited);
    await fs.utimes(path.join(root, 'blob.bin'), later, later);
    const { plan: plan2 } = await engine.prepare({ direction: 'sync', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(plan2.operations.map((o) => o.kind)).toEqual(['upload']);
    engine.close();
  });

  it("accepts rclone's md5chksum metadata", async () => {
    const { root, prefix } = await fresh('rclone');
    const body = Buffer.from('made by rclone');
    await putObject(client, bucket, `${prefix}r.txt`, body, { md5chksum: createHash('md5').update(body).digest('base64') });
    await writeTree(root, { 'r.txt': body });
    const engine = engineFor(await tmpDir('d'));
    expect((await engine.prepare({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan.operations).toEqual([]);
    engine.close();
  });
});

describe('path safety and hostile keys', () => {
  it('skips and reports keys that would escape or cannot be files, and syncs the rest', async () => {
    const { root, prefix } = await fresh('hostile');
    const outside = path.join(path.dirname(root), `escape-${path.basename(root)}.txt`);
    for (const key of ['ok.txt', '../escape.txt', `../${path.basename(outside)}`, 'a/../../x.txt', 'a//b.txt', './dot.txt', 'back\\slash.txt', 'x', 'x/y.txt']) {
      await putObject(client, bucket, `${prefix}${key}`, `content of ${key}`);
    }
    await putObject(client, bucket, `${prefix.slice(0, -1)}//lead.txt`, 'leading slash');
    const engine = engineFor(await tmpDir('d'));
    const result = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(result.ok).toBe(true);
    expect(await readTree(root)).toEqual({ 'ok.txt': 'content of ok.txt', 'x/y.txt': 'content of x/y.txt' });
    await expect(fs.stat(outside)).rejects.toThrow();
    const kinds = result.plan.skipped.map((s) => [s.kind, s.path]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['unsafe-key', `${prefix}../escape.txt`],
        ['unsafe-key', `${prefix}a/../../x.txt`],
        ['unsafe-key', `${prefix}a//b.txt`],
        ['unsafe-key', `${prefix}./dot.txt`],
        ['unsafe-key', `${prefix}back\\slash.txt`],
        ['unsafe-key', `${prefix}/lead.txt`],
        ['object-and-prefix', 'x'],
      ]),
    );
    engine.close();
  });

  it('never writes through a symbolic link inside the folder', async () => {
    const { root, prefix } = await fresh('link');
    const elsewhere = await tmpDir('elsewhere');
    await fs.symlink(elsewhere, path.join(root, 'link'));
    await putObject(client, bucket, `${prefix}link/pwned.txt`, 'nope');
    await putObject(client, bucket, `${prefix}fine.txt`, 'fine');
    const engine = engineFor(await tmpDir('d'));
    const result = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(result.ok).toBe(false);
    expect(result.failed.map((f) => f.operation.path)).toEqual(['link/pwned.txt']);
    expect(result.failed[0].message).toMatch(/symbolic link/);
    expect(await fs.readdir(elsewhere)).toEqual([]);
    expect(await fs.readFile(path.join(root, 'fine.txt'), 'utf8')).toBe('fine');
    expect(result.plan.skipped.map((s) => s.kind)).toContain('symlink');
    engine.close();
  });
});

describe('verification', () => {
  it('raises HashMismatchError for corrupt bytes, removes the temp file and keeps the old file', async () => {
    const { root, prefix } = await fresh('corrupt');
    await writeTree(root, { 'c.txt': 'the good old version' });
    // An object whose stated MD5 does not match its bytes (as corruption in transit would look).
    await putObject(client, bucket, `${prefix}c.txt`, 'tampered content!', { 's3lync-md5': createHash('md5').update('something else').digest('hex') });
    const engine = engineFor(await tmpDir('d'));
    const result = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(result.ok).toBe(false);
    expect(result.failed[0].error).toBe('HashMismatchError');
    expect(result.failed[0].message).toMatch(/MD5/);
    expect(await fs.readdir(root)).toEqual(['c.txt']);
    expect(await fs.readFile(path.join(root, 'c.txt'), 'utf8')).toBe('the good old version');
    engine.close();
  });

  it('exposes HashMismatchError as a class', () => {
    const e = new HashMismatchError('x', 'a', 'b');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('HashMismatchError');
  });
});

describe('hash cache, names and retries', () => {
  it('never hashes an unchanged file twice, across runs', async () => {
    const { root, prefix } = await fresh('cache');
    await writeAgedTree(root, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    const dataDir = await tmpDir('d');
    const e1 = engineFor(dataDir);
    await e1.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    e1.close();
    const e2 = engineFor(dataDir);
    const plan = (await e2.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan.operations).toEqual([]);
    expect(plan.hashed).toBe(0);
    await fs.writeFile(path.join(root, 'b.txt'), 'B');
    const edited = new Date(Date.now() - 30_000); // newer than the cached time, still not racy
    await fs.utimes(path.join(root, 'b.txt'), edited, edited);
    const plan2 = (await e2.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan2.hashed).toBe(1);
    e2.close();
  });

  it('caches a just-edited file once its fine-grained mtime is half a second old; whole-second mtimes wait 2 s', async () => {
    const { root, prefix } = await fresh('racy');
    const dataDir = await tmpDir('d');
    await writeTree(root, { 'fine.txt': 'fine', 'coarse.txt': 'coarse' });
    const fineMtime = (await fs.stat(path.join(root, 'fine.txt'))).mtimeMs;
    expect(fineMtime % 1000).not.toBe(0); // this file system keeps sub-second times
    await new Promise((r) => setTimeout(r, 600));
    // A whole-second mtime under a second old: looks like a coarse file system, still racy.
    const coarse = new Date(Math.floor(Date.now() / 1000) * 1000);
    await fs.utimes(path.join(root, 'coarse.txt'), coarse, coarse);
    const e1 = engineFor(dataDir);
    expect((await e1.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).ok).toBe(true);
    e1.close();
    const e2 = engineFor(dataDir);
    const plan = (await e2.prepare({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` })).plan;
    expect(plan.operations).toEqual([]);
    expect(plan.hashed).toBe(1); // coarse.txt only: it was too recent to trust when uploaded
    e2.close();
  });

  it('keys use NFC names whatever the local file system returned', async () => {
    const { root, prefix } = await fresh('nfc');
    const nfd = 'cafe\u0301.txt';
    await fs.writeFile(path.join(root, nfd), 'accent');
    const engine = engineFor(await tmpDir('d'));
    await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(Object.keys(await remoteTree(client, bucket, prefix))).toEqual(['caf\u00e9.txt']);
    engine.close();
  });

  it('retries a throttled upload (seed defect 12)', async () => {
    const { root, prefix } = await fresh('retry');
    await writeTree(root, { 'slow.txt': 'down' });
    const e = s3env();
    const c = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } });
    let puts = 0;
    c.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && ++puts <= 2) {
          throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'slowdown' },
    );
    disableDirect(c); // the throttling is injected in SDK middleware, which direct requests do not pass
    const engine = engineFor(await tmpDir('d'), { client: c });
    const r = await engine.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(r.ok).toBe(true);
    expect(puts).toBe(3);
    expect(await getText(client, bucket, `${prefix}slow.txt`)).toBe('down');
    c.destroy();
  });
});

describe('large objects', () => {
  it('download in one verified stream (a 70 MiB multipart object from another tool)', async () => {
    const { root, prefix } = await fresh('ranged');
    const body = randomBytes(70 * MiB + 3);
    await putMultipart(`${prefix}big.bin`, body, 8 * MiB);
    const engine = engineFor(await tmpDir('d'));
    const r = await engine.sync({ direction: 'pull', localPath: root, remote: `s3://${bucket}/${prefix}` });
    expect(r.ok).toBe(true);
    expect(createHash('md5').update(await fs.readFile(path.join(root, 'big.bin'))).digest('hex')).toBe(createHash('md5').update(body).digest('hex'));
    expect(await fs.readdir(root)).toEqual(['big.bin']);
    engine.close();
  });
});
