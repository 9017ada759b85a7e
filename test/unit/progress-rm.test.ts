// Progress figures and batched deletion with per-key errors, without a server.
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/shared/progress';
import { ProgressTracker } from '../../src/main/sync/progress';
import { deleteKeys } from '../../src/main/sync/s3';

describe('progress', () => {
  it('reports files, bytes, rate and ETA', () => {
    const seen: Progress[] = [];
    const t = new ProgressTracker(2, 1000, (p) => seen.push(p), 0);
    t.start('a');
    t.bytes(500);
    t.finish('a');
    const p = t.snapshot(Date.now() + 1000);
    expect(p).toMatchObject({ filesDone: 1, filesTotal: 2, bytesDone: 500, bytesTotal: 1000 });
    expect(p.rate).toBeGreaterThan(0);
    expect(p.etaSeconds).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].current).toEqual(['a']);
  });
});

describe('deleteKeys', () => {
  it('sends batches of at most 1000 and reports every refused key', async () => {
    const batches: string[][] = [];
    const fake = {
      send: async (cmd: { input: { Delete: { Objects: Array<{ Key: string }> } } }) => {
        const keys = cmd.input.Delete.Objects.map((o) => o.Key);
        batches.push(keys);
        return {
          Deleted: keys.filter((k) => k !== 'k0007').map((Key) => ({ Key })),
          Errors: keys.includes('k0007') ? [{ Key: 'k0007', Code: 'AccessDenied', Message: 'Access Denied' }] : [],
        };
      },
    } as unknown as S3Client;
    const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const deleted: string[] = [];
    const failures = await deleteKeys(fake, 'b', keys, (k) => deleted.push(k));
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(failures).toEqual([{ key: 'k0007', message: 'AccessDenied: Access Denied' }]);
    expect(deleted).toHaveLength(2499);
  });
});
