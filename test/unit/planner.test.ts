// Sync decisions as a scenario table: initial trees on both sides, the mode, and the exact plan
// expected. The remote side is in memory (ETags are real MD5s); the local side is a real folder.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../src/shared/plan';
import { Excluder } from '../../src/main/sync/exclude';
import { HashCache } from '../../src/main/sync/hash-cache';
import { scanLocal } from '../../src/main/sync/local-scan';
import { buildPlan, deletionGuard } from '../../src/main/sync/planner';
import { RemoteKnowledge } from '../../src/main/sync/remote-cache';
import type { RemoteObject } from '../../src/main/sync/s3';
import { tmpDir, writeTree, type Tree } from '../helpers';

interface Scenario {
  name: string;
  direction: Direction;
  mirror?: boolean;
  local: Tree;
  remote: Record<string, string>;
  exclude?: string[];
  maxDelete?: number;
  /** "kind path" lines, in plan order. */
  plan: string[];
  guard?: RegExp;
  skipped?: string[];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const scenarios: Scenario[] = [
  { name: 'push: new files', direction: 'push', local: { 'a.txt': 'a', 'd/b.txt': 'b' }, remote: {}, plan: ['upload a.txt', 'upload d/b.txt'] },
  { name: 'push: nothing changed', direction: 'push', local: { 'a.txt': 'a' }, remote: { 'a.txt': 'a' }, plan: [] },
  { name: 'push: same-size edit is a change', direction: 'push', local: { 'a.txt': 'new' }, remote: { 'a.txt': 'old' }, plan: ['upload a.txt'] },
  { name: 'push: extra remote file is kept without mirror', direction: 'push', local: { 'a.txt': 'a' }, remote: { 'a.txt': 'a', 'z.txt': 'z' }, plan: [] },
  { name: 'push mirror: deletes extras after transfers', direction: 'push', mirror: true, local: { 'a.txt': 'A', 'b.txt': 'b' }, remote: { 'a.txt': 'a', 'b.txt': 'b', 'z.txt': 'z' }, plan: ['upload a.txt', 'delete-remote z.txt'] },
  { name: 'push mirror: excluded remote files are never deleted', direction: 'push', mirror: true, exclude: ['\\.env$', '^\\.git/'], local: { 'a.txt': 'a', '.env': 'secret' }, remote: { 'a.txt': 'a', 'b.env': 'keep', '.git/HEAD': 'ref' }, plan: [] },
  { name: 'pull: new and changed', direction: 'pull', local: { 'a.txt': 'a' }, remote: { 'a.txt': 'A', 'n.txt': 'n' }, plan: ['download a.txt', 'download n.txt'] },
  { name: 'pull mirror: local extras go to the trash', direction: 'pull', mirror: true, local: { 'a.txt': 'a', 'old.txt': 'o' }, remote: { 'a.txt': 'a', 'b.txt': 'b' }, plan: ['download b.txt', 'delete-local old.txt'] },
  { name: 'pull mirror: excluded local files stay', direction: 'pull', mirror: true, exclude: ['\\.tmp$'], local: { 'a.txt': 'a', 'w.tmp': 'work' }, remote: { 'a.txt': 'a' }, plan: [] },
  {
    name: 'pull mirror: empty source trips the guard',
    direction: 'pull',
    mirror: true,
    local: { 'a.txt': 'a' },
    remote: {},
    plan: ['delete-local a.txt'],
    guard: /source is empty/,
  },
  {
    name: 'push mirror: deleting more than half of >10 files trips the guard',
    direction: 'push',
    mirror: true,
    local: { k1: '1', k2: '2', k3: '3', k4: '4', k5: '5' },
    remote: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i + 1}`, String(i + 1)])),
    plan: ['delete-remote k10', 'delete-remote k11', 'delete-remote k12', 'delete-remote k6', 'delete-remote k7', 'delete-remote k8', 'delete-remote k9'],
    guard: /more than half/,
  },
  {
    name: 'push mirror: --max-delete allows it',
    direction: 'push',
    mirror: true,
    maxDelete: 7,
    local: { k1: '1', k2: '2', k3: '3', k4: '4', k5: '5' },
    remote: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i + 1}`, String(i + 1)])),
    plan: ['delete-remote k10', 'delete-remote k11', 'delete-remote k12', 'delete-remote k6', 'delete-remote k7', 'delete-remote k8', 'delete-remote k9'],
  },
  {
    name: 'pull: object and prefix with the same name',
    direction: 'pull',
    local: {},
    remote: { x: 'file', 'x/y': 'under', 'x-1': 'sibling' },
    plan: ['download x-1', 'download x/y'],
    skipped: ['object-and-prefix x'],
  },
  {
    name: 'pull: a local folder where S3 has a file',
    direction: 'pull',
    mirror: true,
    local: { 'd/inner.txt': 'i' },
    remote: { d: 'file named d', 'other.txt': 'o' },
    plan: ['download other.txt', 'delete-local d/inner.txt'],
    skipped: ['not-a-directory d'],
  },
  { name: 'pull: hostile keys are skipped', direction: 'pull', local: {}, remote: { '../up.txt': 'x', 'a//b': 'x', ok: 'ok' }, plan: ['download ok'], skipped: ['unsafe-key p/../up.txt', 'unsafe-key p/a//b'] },
];

describe('planner scenarios', () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const root = await tmpDir('plan');
      await writeTree(root, s.local);
      const excluder = new Excluder(s.exclude ?? []);
      const remote: RemoteObject[] = Object.entries(s.remote)
        .map(([rel, body]) => ({ key: `p/${rel}`, size: Buffer.byteLength(body), etag: md5(body), lastModified: Date.now() }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const { plan } = await buildPlan({
        target: { direction: s.direction, mirror: s.mirror ?? false, bucket: 'b', localRoot: root, prefix: 'p/', remoteLabel: 's3://b/p/' },
        scan: await scanLocal(root, excluder),
        remote,
        remoteComplete: true,
        excluder,
        maxDelete: s.maxDelete,
        compare: {
          cache: await HashCache.open(null, root),
          knowledge: await RemoteKnowledge.open(null, 'e', 'b', 'p/'),
          head: async () => null,
          direction: s.direction,
          checkHash: true,
        },
      });
      expect(plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(s.plan);
      for (const op of plan.operations) expect(op.reason.length).toBeGreaterThan(3);
      if (s.guard) {
        expect(plan.guard?.tripped).toBe(true);
        expect(plan.guard?.message).toMatch(s.guard);
        expect(plan.guard?.message).toMatch(/--max-delete/);
      } else {
        expect(plan.guard).toBeNull();
      }
      expect(plan.skipped.map((k) => `${k.kind} ${k.path}`)).toEqual(s.skipped ?? []);
    });
  }

  it('holds every deletion when a listing was incomplete', () => {
    const g = deletionGuard({ deletions: 1, sourceCount: 5, targetCount: 6, listingComplete: false, where: 'x' });
    expect(g?.tripped).toBe(true);
    expect(g?.message).toMatch(/could not be read/);
  });
});

describe('case-insensitive disks', () => {
  it('report names that differ only in case instead of letting one overwrite the other', async () => {
    const root = await tmpDir('ci');
    const excluder = new Excluder([]);
    const scan = { ...(await scanLocal(root, excluder)), caseInsensitive: true };
    const remote: RemoteObject[] = ['p/Notes.txt', 'p/notes.txt', 'p/other.txt'].map((key) => ({ key, size: 1, etag: md5('x'), lastModified: 0 }));
    const { plan } = await buildPlan({
      target: { direction: 'pull', mirror: true, bucket: 'b', localRoot: root, prefix: 'p/', remoteLabel: 's3://b/p/' },
      scan,
      remote,
      remoteComplete: true,
      excluder,
      compare: { cache: await HashCache.open(null, root), knowledge: await RemoteKnowledge.open(null, 'e', 'b', 'p/'), head: async () => null, direction: 'pull', checkHash: true },
    });
    expect(plan.operations.map((o) => `${o.kind} ${o.path}`)).toEqual(['download Notes.txt', 'download other.txt']);
    expect(plan.skipped).toEqual([expect.objectContaining({ path: 'p/notes.txt', reason: expect.stringMatching(/differ only in case/) })]);
  });
});
