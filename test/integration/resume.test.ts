// Resumable multipart uploads: an interrupted upload continues from its completed parts in the
// next run, and an upload whose file changed meanwhile is aborted and started afresh.
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB } from '../../src/main/sync/md5';
import { createS3Client } from '../../src/main/sync/s3';
import { engineFor, newBucket, rawClient, referenceCompositeEtag, s3env, tmpDir, writeTree } from '../helpers';

const client = rawClient();
let bucket: string;
beforeAll(async () => {
  bucket = await newBucket(client);
});
afterAll(() => client.destroy());

function countingClient(failPart: number | null) {
  const e = s3env();
  const c = createS3Client({ endpoint: e.endpoint, pathStyle: true, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 1 });
  const sent: number[] = [];
  c.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UploadPartCommand') {
        const n = (args.input as { PartNumber: number }).PartNumber;
        if (n === failPart) throw Object.assign(new Error('connection lost'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        sent.push(n);
      }
      return next(args);
    },
    { step: 'initialize', name: 'count-parts' },
  );
  return { c, sent };
}


describe('resumable multipart uploads', () => {
  it('continue from the completed parts after an interruption', async () => {
    const root = await tmpDir('resume');
    const body = randomBytes(16 * MiB + 100); // 4 parts of 5 MiB
    await writeTree(root, { 'big.bin': body });
    const data = await tmpDir('data');
    const opts = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, partConcurrency: 1 };
    const first = countingClient(3);
    const e1 = engineFor(data, { ...opts, client: first.c });
    const r1 = await e1.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/r/` });
    expect(r1.ok).toBe(false);
    expect(first.sent).toEqual([1, 2]);
    const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'r/' }));
    expect(pending.Uploads?.length).toBe(1);

    const second = countingClient(null);
    const e2 = engineFor(data, { ...opts, client: second.c });
    const r2 = await e2.sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/r/` });
    expect(r2.ok).toBe(true);
    expect(second.sent).toEqual([3, 4]); // parts 1 and 2 were not sent again
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'r/big.bin' }));
    expect(head.ETag).toBe(`"${referenceCompositeEtag(body, 5 * MiB)}"`); // exactly these bytes, in 4 parts
    expect(head.Metadata?.['s3lync-part-size']).toBe(String(5 * MiB));
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'r/' }));
    expect(left.Uploads ?? []).toEqual([]);
    first.c.destroy();
    second.c.destroy();
  });

  it('abort the old upload and start over when the file changed meanwhile', async () => {
    const root = await tmpDir('resume2');
    await writeTree(root, { 'big.bin': randomBytes(11 * MiB) });
    const data = await tmpDir('data');
    const opts = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, partConcurrency: 1 };
    const first = countingClient(2);
    await engineFor(data, { ...opts, client: first.c }).sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/c/` });
    const changed = randomBytes(11 * MiB);
    await fs.writeFile(path.join(root, 'big.bin'), changed);
    const second = countingClient(null);
    const r = await engineFor(data, { ...opts, client: second.c }).sync({ direction: 'push', localPath: root, remote: `s3://${bucket}/c/` });
    expect(r.ok).toBe(true);
    expect(second.sent).toEqual([1, 2, 3]);
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'c/' }));
    expect(left.Uploads ?? []).toEqual([]);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c/big.bin' }));
    expect(head.ETag).toBe(`"${referenceCompositeEtag(changed, 5 * MiB)}"`);
    first.c.destroy();
    second.c.destroy();
  });
});
