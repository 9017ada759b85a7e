// The local scan stats files on the calling thread in batches, and moves to the thread pool when
// a batch is slow (a network share): both ways must see exactly the same tree.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Excluder } from '../../src/main/sync/exclude';
import { scanLocal } from '../../src/main/sync/local-scan';
import { tempNameFor } from '../../src/main/sync/store';
import { tmpDir } from '../helpers';

describe('scanLocal', () => {
  it('sees the same files, folders, skips and temp files on the calling thread and on the thread pool', async () => {
    const root = await tmpDir('scan');
    await fs.mkdir(path.join(root, 'many'), { recursive: true });
    await fs.mkdir(path.join(root, 'a/b/c'), { recursive: true });
    await fs.mkdir(path.join(root, 'node_modules/x'), { recursive: true });
    // More files in one folder than one batch, of distinct sizes.
    for (let i = 0; i < 700; i++) await fs.writeFile(path.join(root, 'many', `f${i}.txt`), 'x'.repeat(i));
    await fs.writeFile(path.join(root, 'a/b/c/deep.txt'), 'deep');
    await fs.writeFile(path.join(root, 'node_modules/x/skip.js'), 'excluded');
    await fs.writeFile(path.join(root, 'a/skip.log'), 'excluded');
    await fs.symlink('/etc/hostname', path.join(root, 'a/link'));
    execFileSync('mkfifo', [path.join(root, 'a/pipe')]);
    const temp = tempNameFor(path.join(root, 'a/b/partial.bin'));
    await fs.writeFile(temp, 'left by a crash');
    const excluder = new Excluder(['^node_modules/', '\\.log$']);

    const here = await scanLocal(root, excluder);
    const pool = await scanLocal(root, excluder, { slowBatchMs: 0 }); // the first stat is "slow": the rest on the pool
    for (const scan of [here, pool]) {
      expect(scan.complete).toBe(true);
      expect(scan.files.size).toBe(701);
      expect(scan.files.get('many/f699.txt')).toMatchObject({ rel: 'many/f699.txt', abs: path.join(root, 'many/f699.txt'), size: 699 });
      expect(scan.files.has('node_modules/x/skip.js') || scan.files.has('a/skip.log')).toBe(false);
      expect([...scan.dirs].sort()).toEqual(['a', 'a/b', 'a/b/c', 'many']);
      expect(scan.skipped.map((s) => [s.kind, s.path]).sort()).toEqual([
        ['special-file', 'a/pipe'],
        ['symlink', 'a/link'],
      ]);
      expect(scan.staleTemps).toEqual([temp]);
    }
    expect([...pool.files.entries()].sort()).toEqual([...here.files.entries()].sort());
  });
});
