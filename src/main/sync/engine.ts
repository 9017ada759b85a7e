// The sync engine's front door, shared by the CLI, the library API and the app: resolve what the
// user named (file or folder, object or prefix), scan both sides, plan, and run the plan.
// Imports nothing from Electron.
import type { S3Client } from '@aws-sdk/client-s3';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import type { Direction, Plan } from '../../shared/plan';
import type { SyncEvent, SyncResult } from '../../shared/progress';
import { Semaphore, runPool } from './concurrency';
import { S3ObjectError, SyncError } from './errors';
import { Excluder } from './exclude';
import { emptyCompleted, executePlan } from './executor';
import { HashCache } from './hash-cache';
import { scanLocal, type LocalScan } from './local-scan';
import { acquireLock } from './lock';
import { MiB } from './md5';
import { unsafeReason } from './paths';
import { buildPlan, type PlanContext, type Target } from './planner';
import { BaseStore } from './base';
import { planTwoWay, type TwoWayContext } from './bisync';
import type { Applied } from './executor';
import type { Operation } from '../../shared/plan';
import { RemoteKnowledge } from './remote-cache';
import {
  createS3Client,
  deleteKeys,
  headObject,
  compareKeys,
  listAll,
  prefixHasObjects,
  resolveEndpoint,
  type ConnectionOptions,
  type DeleteFailure,
  type HeadResult,
  type RemoteObject,
} from './s3';
import { defaultCacheDir, defaultDataDir } from './store';
import { RANGED_MIN_BYTES, type TransferSettings } from './transfer';
import { Trash } from './trash';
import { LARGE_TREE, compactMemory } from './memory';
import { UploadJournal } from './journal';
import { asPrefix, formatS3Uri, parseS3Uri } from './uri';

export interface EngineOptions extends ConnectionOptions {
  /** Where caches, locks and the trash live; null keeps caches in memory (no trash, no lock). */
  dataDir?: string | null;
  /** Files transferred at once (default 16). */
  concurrency?: number;
  /** Part size for multipart uploads (default 16 MiB). */
  partSize?: number;
  /** Files at least this big are uploaded in parts (default 16 MiB). */
  multipartThreshold?: number;
  /** Parts of one file in flight at once (default 8). */
  partConcurrency?: number;
  /** Multipart objects at least this big are downloaded in 4 ranges at once (default 64 MiB). */
  rangedDownloadThreshold?: number;
  /** Bytes buffered at once across all transfers (default 256 MiB). */
  memoryBudget?: number;
  /** An S3 client to use instead of building one (tests, the app's profiles). */
  client?: S3Client;
  /** A transfer limit shared with other engines (the app's global limit across pairs). */
  transferSlots?: Semaphore;
}

export interface SyncSpec {
  direction: Direction;
  /** The local file or folder; for a pull it may be omitted (the s3lync cache folder is used). */
  localPath?: string;
  remote: string;
  /** Make the target identical to the source, deleting extras (the seed's force_sync). */
  mirror?: boolean;
  exclude?: readonly string[];
  /** Deletions allowed in one run; undefined: the default guard. */
  maxDelete?: number;
  /** false: compare by size and modification time only. Transfers are always verified. */
  checkHash?: boolean;
  /**
   * Incremental sync of these relative paths only (what a watcher saw change). Used for push and
   * two-way syncs of a few files; anything it cannot decide alone (folders, deletions) makes
   * prepare() fall back to a full sync.
   */
  only?: readonly string[];
}

/** Above this many changed paths a full scan is as cheap as looking at each one. */
const INCREMENTAL_LIMIT = 200;

export interface RunOptions {
  onEvent?: (e: SyncEvent) => void;
  signal?: AbortSignal;
}

export interface PreparedSync {
  plan: Plan;
  /** Runs exactly this plan. */
  run(options?: RunOptions): Promise<SyncResult>;
}

export interface RemoveResult {
  uri: string;
  keys: string[];
  deleted: number;
  failures: DeleteFailure[];
}

export class SyncEngine {
  readonly client: S3Client;
  readonly dataDir: string | null;
  readonly endpoint: string;
  private readonly settings: TransferSettings;
  private readonly concurrency: number;
  private readonly ownsClient: boolean;

  constructor(readonly options: EngineOptions = {}) {
    this.client = options.client ?? createS3Client({ ...options, maxSockets: Math.max(64, (options.concurrency ?? 16) * 2) });
    this.ownsClient = !options.client;
    this.dataDir = options.dataDir === undefined ? defaultDataDir() : options.dataDir;
    this.endpoint = resolveEndpoint(options) ?? 'AWS S3';
    this.concurrency = positive(options.concurrency, 16, '--concurrency');
    const partSize = positive(options.partSize, 16 * MiB, 'part size');
    if (partSize < 5 * MiB) throw new S3ObjectError('The part size must be at least 5 MiB (an S3 rule).');
    this.settings = {
      partSize,
      multipartThreshold: positive(options.multipartThreshold, 16 * MiB, 'multipart threshold'),
      partConcurrency: positive(options.partConcurrency, 8, 'part concurrency'),
      rangedDownloadThreshold: positive(options.rangedDownloadThreshold, RANGED_MIN_BYTES, 'ranged download threshold'),
      memory: new Semaphore(positive(options.memoryBudget, 256 * MiB, 'memory budget')),
      journal: this.dataDir ? new UploadJournal(path.join(this.dataDir, 'uploads'), this.endpoint) : null,
    };
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  /** Plans a sync and returns it with a function that runs exactly that plan. */
  async prepare(spec: SyncSpec, signal?: AbortSignal): Promise<PreparedSync> {
    // Every request in flight listens to the one signal; dozens at once are expected, not a leak.
    if (signal) setMaxListeners(0, signal);
    const { bucket, key } = parseS3Uri(spec.remote);
    const excluder = new Excluder(spec.exclude ?? []);
    if (spec.maxDelete !== undefined && (!Number.isInteger(spec.maxDelete) || spec.maxDelete < 0)) {
      throw new S3ObjectError('--max-delete must be a whole number, 0 or more.');
    }
    const target = await this.resolveTarget(spec, bucket, key);
    const remoteLabel = target.remoteLabel;
    const incremental = spec.only && !target.single && !target.mirror && target.direction !== 'pull' && spec.only.length <= INCREMENTAL_LIMIT ? new Set(spec.only) : null;
    if (spec.only && !incremental) return this.prepare({ ...spec, only: undefined }, signal);
    const endpointId = this.endpoint;
    // Loaded alongside the scan and the listing; awaited below (marked handled meanwhile).
    const cacheLoad = HashCache.open(this.dataDir, target.localRoot);
    const knowledgeLoad = RemoteKnowledge.open(this.dataDir, endpointId, bucket, target.single ? target.single.key : target.prefix);
    cacheLoad.catch(() => undefined);
    knowledgeLoad.catch(() => undefined);
    let scan: LocalScan;
    let listing: RemoteObject[];
    if (incremental) {
      const looked = await this.lookAt(target, incremental, excluder);
      if (!looked) return this.prepare({ ...spec, only: undefined }, signal); // a folder changed: scan it all
      [scan, listing] = looked;
    } else {
      // The remote key space is cut into ranges listed in parallel. Cuts remembered from the last
      // listing let it start at once, alongside the local scan; without them the local paths cut
      // it (scan first). Very large trees scan, then list, to keep the peak memory down.
      const last = target.single ? null : (await knowledgeLoad).lastListing();
      if (last && last.count <= LARGE_TREE) {
        [scan, listing] = await Promise.all([this.scan(target, excluder), this.list(target, signal, last.cuts)]);
      } else {
        scan = await this.scan(target, excluder);
        if (scan.files.size > LARGE_TREE) compactMemory();
        listing = await this.list(target, signal, last?.cuts ?? listingBoundaries(target, scan));
      }
      if (scan.files.size > LARGE_TREE || listing.length > LARGE_TREE) compactMemory();
      if (!target.single) (await knowledgeLoad).rememberListing({ count: listing.length, cuts: rangeCuts(listing.map((o) => o.key)) });
    }
    if (target.direction === 'pull' && listing.length === 0 && !target.single) {
      const anything = await prefixHasObjects(this.client, bucket, target.prefix);
      if (!anything) {
        throw new SyncError(`Nothing to pull: there is no object ${remoteLabel.replace(/\/$/, '')} and no object under ${remoteLabel}. Check the URI (s3lync exists ${remoteLabel}).`);
      }
    }
    const [cache, knowledge] = await Promise.all([cacheLoad, knowledgeLoad]);
    if (scan.files.size > LARGE_TREE) compactMemory();
    const compare = {
      cache,
      knowledge,
      head: (k: string, part?: number) => headObject(this.client, bucket, k, part),
      direction: target.direction,
      checkHash: spec.checkHash ?? true,
    };
    if (target.direction === 'sync') {
      const base = await BaseStore.open(this.dataDir, target.localRoot, endpointId, target.remoteLabel);
      if (base.size > 0 && !(await statOrNull(target.localRoot))) {
        throw new SyncError(`The folder ${target.localRoot} is missing (an unmounted disk?), though it was synced before. Nothing was changed. Reconnect it, or remove the pair and pair again.`);
      }
      // A path seen by the watcher that is on neither side nor in the base was a folder moved away: look at everything.
      if (incremental && [...incremental].some((rel) => !scan.files.has(rel) && !listing.some((o) => o.key === target.prefix + rel) && !base.get(rel))) {
        return this.prepare({ ...spec, only: undefined }, signal);
      }
      const { plan, context } = await planTwoWay({ target, scan, remote: listing, excluder, base, compare, maxDelete: spec.maxDelete, only: incremental ?? undefined });
      // Deletions are judged against the whole tree (the guard counts every file): go full.
      if (incremental && plan.operations.some((o) => o.kind === 'delete-local' || o.kind === 'delete-remote' || o.kind === 'move-local' || o.kind === 'move-remote')) {
        return this.prepare({ ...spec, only: undefined }, signal);
      }
      if (incremental) context.partial = true;
      return { plan, run: (opts) => this.execute(plan, context, scan, cache, knowledge, opts ?? {}) };
    }
    const built = await buildPlan({
      target,
      scan,
      remote: listing,
      remoteComplete: true,
      excluder,
      maxDelete: spec.maxDelete,
      compare,
    });
    const { plan, context } = built;
    if (incremental) context.partial = true;
    return {
      plan,
      run: (opts) => this.execute(plan, context, scan, cache, knowledge, opts ?? {}),
    };
  }

  /** Plans and runs; with dryRun only plans (and reports the plan). */
  async sync(spec: SyncSpec, opts: RunOptions & { dryRun?: boolean } = {}): Promise<SyncResult> {
    const prepared = await this.prepare(spec, opts.signal);
    opts.onEvent?.({ type: 'plan', plan: prepared.plan });
    if (opts.dryRun) {
      const result: SyncResult = {
        plan: prepared.plan,
        done: 0,
        completed: emptyCompleted(),
        failed: [],
        deletionsHeld: 0,
        heldReason: null,
        bytes: 0,
        seconds: 0,
        cancelled: false,
        ok: true,
      };
      opts.onEvent?.({ type: 'result', result });
      return result;
    }
    return prepared.run(opts);
  }

  private async execute(
    plan: Plan,
    context: PlanContext,
    scan: LocalScan,
    cache: HashCache,
    knowledge: RemoteKnowledge,
    opts: RunOptions,
  ): Promise<SyncResult> {
    const root = context.target.localRoot;
    if (opts.signal) setMaxListeners(0, opts.signal);
    const release = this.dataDir ? await acquireLock(this.dataDir, root) : async () => undefined;
    try {
      if (plan.direction !== 'push') await fs.mkdir(root, { recursive: true });
      const twoWay = 'base' in context ? (context as TwoWayContext) : null;
      for (const tmp of scan.staleTemps) await fs.rm(tmp, { force: true }).catch(() => undefined);
      if (this.dataDir) await Trash.prune(this.dataDir);
      await this.settings.journal?.pruneStale(this.client).catch(() => 0);
      const result = await executePlan(plan, context, {
        client: this.client,
        settings: this.settings,
        cache,
        knowledge,
        trash: this.dataDir ? new Trash(this.dataDir, root) : null,
        concurrency: this.concurrency,
        onEvent: opts.onEvent,
        signal: opts.signal,
        endpoint: this.endpoint,
        recheckRemote: twoWay !== null,
        transferSlots: this.options.transferSlots,
        onApplied: twoWay ? (op, applied) => recordInBase(twoWay, op, applied) : undefined,
      });
      if (twoWay) {
        await adoptIntoBase(twoWay, cache);
        await twoWay.base.save();
      }
      const full = !context.target.single && !context.partial;
      // Unfinished uploads of files that failed may resume next run; any other is cleaned up.
      const resumable = new Set(result.failed.filter((f) => f.operation.kind !== 'download').map((f) => f.operation.key));
      if (result.cancelled) {
        // Interrupted: every unfinished upload may resume next run.
      } else if (full) await this.settings.journal?.sweep(this.client, context.target.bucket, context.target.prefix, resumable).catch(() => undefined);
      else if (context.target.single) await this.settings.journal?.sweep(this.client, context.target.bucket, context.target.single.key, resumable).catch(() => undefined);
      if (full && plan.operations.length > 0) {
        // The next listing starts from these cuts: place them among the keys as they now are
        // (roughly: what was listed plus every local file), not as they were before this run.
        const keys = new Set<string>();
        for (const o of context.remote.values()) keys.add(o.key);
        for (const rel of context.local.keys()) keys.add(context.target.prefix + rel);
        knowledge.rememberListing({ count: keys.size, cuts: rangeCuts([...keys].sort()) });
      }
      await cache.save(full && context.localComplete ? new Set(context.local.keys()) : null);
      await knowledge.save(full && context.remoteComplete ? new Set([...context.remote.values()].map((o) => o.key)) : null);
      return result;
    } finally {
      await release();
    }
  }

  /** 'object' when that exact key exists, 'prefix' when objects exist under it, else null. */
  async exists(uri: string): Promise<'object' | 'prefix' | null> {
    const { bucket, key } = parseS3Uri(uri);
    if (key && !key.endsWith('/') && (await headObject(this.client, bucket, key))) return 'object';
    return (await prefixHasObjects(this.client, bucket, asPrefix(key))) ? 'prefix' : null;
  }

  /** Deletes the object, or every object (and folder marker) under the prefix. */
  async remove(uri: string, opts: { dryRun?: boolean; onDeleted?: (key: string) => void } = {}): Promise<RemoveResult> {
    const { bucket, key } = parseS3Uri(uri);
    let keys: string[];
    if (key && !key.endsWith('/') && (await headObject(this.client, bucket, key))) keys = [key];
    else keys = (await listAll(this.client, bucket, asPrefix(key), undefined, true)).map((o) => o.key);
    if (keys.length === 0) {
      throw new SyncError(`Nothing to delete: there is no object ${uri} and no object under ${formatS3Uri(bucket, asPrefix(key))}.`);
    }
    if (opts.dryRun) return { uri, keys, deleted: 0, failures: [] };
    let deleted = 0;
    const failures = await deleteKeys(this.client, bucket, keys, (k) => {
      deleted++;
      opts.onDeleted?.(k);
    });
    return { uri, keys, deleted, failures };
  }

  private async resolveTarget(spec: SyncSpec, bucket: string, key: string): Promise<Target> {
    const mirror = spec.mirror ?? false;
    const head: HeadResult | null = key && !key.endsWith('/') ? await headObject(this.client, bucket, key) : null;
    if (spec.direction === 'sync') {
      if (!spec.localPath) throw new S3ObjectError('sync needs a local folder: s3lync sync <local-path> <s3-uri>.');
      if (mirror) throw new S3ObjectError('A two-way sync cannot be forced; use push --force or pull --force to mirror one side onto the other.');
      const local = path.resolve(spec.localPath);
      const st = await statOrNull(local);
      if (st && !st.isDirectory()) throw new S3ObjectError(`${local} is a file; two-way sync pairs a folder with a prefix.`);
      if (head) throw new S3ObjectError(`s3://${bucket}/${key} is an object (a file); two-way sync needs a prefix: s3://${bucket}/${key}/`);
      return { direction: 'sync', mirror: false, bucket, localRoot: local, prefix: asPrefix(key), remoteLabel: formatS3Uri(bucket, asPrefix(key)) };
    }
    if (spec.direction === 'push') {
      if (!spec.localPath) throw new S3ObjectError('push needs a local path: s3lync push <local-path> <s3-uri>.');
      const local = path.resolve(spec.localPath);
      const st = await statOrNull(local);
      if (!st) throw new S3ObjectError(`The local path ${local} does not exist.`);
      if (st.isFile()) {
        let objectKey = key;
        if (!head && (key === '' || key.endsWith('/') || (await prefixHasObjects(this.client, bucket, asPrefix(key))))) {
          objectKey = asPrefix(key) + path.basename(local).normalize('NFC');
        }
        return {
          direction: 'push',
          mirror,
          bucket,
          localRoot: path.dirname(local),
          prefix: '',
          single: { rel: path.basename(local).normalize('NFC'), key: objectKey },
          remoteLabel: formatS3Uri(bucket, objectKey),
        };
      }
      if (!st.isDirectory()) throw new S3ObjectError(`${local} is neither a file nor a folder.`);
      if (head) {
        throw new S3ObjectError(`s3://${bucket}/${key} is an object (a file), so a folder cannot be pushed onto it. Push to a prefix instead: s3://${bucket}/${key}/`);
      }
      return { direction: 'push', mirror, bucket, localRoot: local, prefix: asPrefix(key), remoteLabel: formatS3Uri(bucket, asPrefix(key)) };
    }

    // pull
    if (head) {
      let local: string;
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (!spec.localPath) {
        const why = unsafeReason(key);
        if (why) throw new S3ObjectError(`The key "${key}" cannot be used as a path in the cache folder: ${why}. Give a local path.`);
        local = path.join(defaultCacheDir(), bucket, ...key.split('/'));
      } else {
        local = path.resolve(spec.localPath);
        const st = await statOrNull(local);
        if (st?.isDirectory() || spec.localPath.endsWith('/') || spec.localPath.endsWith(path.sep)) {
          const why = unsafeReason(name);
          if (why) throw new S3ObjectError(`The object name "${name}" cannot be stored here: ${why}. Give a file path instead.`);
          local = path.join(local, name);
        }
      }
      const st = await statOrNull(local);
      if (st && !st.isFile()) throw new S3ObjectError(`${local} exists and is not a file.`);
      return {
        direction: 'pull',
        mirror,
        bucket,
        localRoot: path.dirname(local),
        prefix: '',
        single: { rel: path.basename(local).normalize('NFC'), key },
        remoteLabel: formatS3Uri(bucket, key),
      };
    }
    const prefix = asPrefix(key);
    let local: string;
    if (!spec.localPath) {
      const trimmed = prefix.replace(/\/$/, '');
      const why = trimmed ? unsafeReason(trimmed) : null;
      if (why) throw new S3ObjectError(`The prefix "${prefix}" cannot be used as a path in the cache folder: ${why}. Give a local path.`);
      local = path.join(defaultCacheDir(), bucket, ...(trimmed ? trimmed.split('/') : []));
    } else {
      local = path.resolve(spec.localPath);
    }
    const st = await statOrNull(local);
    if (st && !st.isDirectory()) {
      throw new S3ObjectError(`${local} is a file, but ${formatS3Uri(bucket, prefix)} is a prefix (a folder); give a folder path.`);
    }
    return { direction: 'pull', mirror, bucket, localRoot: local, prefix, remoteLabel: formatS3Uri(bucket, prefix) };
  }

  private async scan(target: Target, excluder: Excluder): Promise<LocalScan> {
    if (target.single) {
      const abs = path.join(target.localRoot, target.single.rel);
      const st = await statOrNull(abs);
      const scan: LocalScan = { files: new Map(), dirs: new Set(), skipped: [], staleTemps: [], complete: true };
      if (st?.isFile()) scan.files.set(target.single.rel, { rel: target.single.rel, abs, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      return scan;
    }
    const st = await statOrNull(target.localRoot);
    if (!st) return { files: new Map(), dirs: new Set(), skipped: [], staleTemps: [], complete: true };
    return scanLocal(target.localRoot, excluder);
  }

  /**
   * Incremental: stat each changed path and HEAD its key. Null when a path is a folder (its
   * contents need a real scan).
   */
  private async lookAt(target: Target, paths: Set<string>, excluder: Excluder): Promise<[LocalScan, RemoteObject[]] | null> {
    const scan: LocalScan = { files: new Map(), dirs: new Set(), skipped: [], staleTemps: [], complete: true, caseInsensitive: false };
    const remote: RemoteObject[] = [];
    for (const rel of paths) {
      if (excluder.excludes(rel) || unsafeReason(rel)) {
        paths.delete(rel);
        continue;
      }
      const abs = path.join(target.localRoot, ...rel.split('/'));
      const st = await fs.lstat(abs).catch(() => null);
      if (st?.isDirectory()) return null;
      if (st?.isFile()) scan.files.set(rel, { rel, abs, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    }
    await runPool([...paths], 16, async (rel) => {
      const h = await headObject(this.client, target.bucket, target.prefix + rel);
      if (h) remote.push({ key: target.prefix + rel, size: h.size, etag: h.etag, lastModified: h.lastModified });
    });
    remote.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [scan, remote];
  }

  private async list(target: Target, signal?: AbortSignal, boundaries: string[] = []): Promise<RemoteObject[]> {
    if (target.single) {
      const h = await headObject(this.client, target.bucket, target.single.key);
      if (!h) {
        // Tell a missing bucket apart from a missing key: the listing says NoSuchBucket.
        await prefixHasObjects(this.client, target.bucket, target.single.key);
        return [];
      }
      return [{ key: target.single.key, size: h.size, etag: h.etag, lastModified: h.lastModified }];
    }
    return listAll(this.client, target.bucket, target.prefix, signal, false, boundaries);
  }
}

/** Ranges listed at once: enough to hide the round trips, few enough to spare memory and the server. */
const LISTING_RANGES = 16;
/** Local keys per listing page when cutting ranges: under S3's 1,000, leaving room for a few extra remote keys. */
const PAGE_FILL = 990;

/**
 * Where parallel listing ranges meet: local keys (when there are more than 2,000), spaced so each
 * range is a whole number of pages — 10,000 files are 11 one-page ranges listed at once, not 8
 * ranges of a full page plus a small one (16 requests).
 */
function listingBoundaries(target: Target, scan: LocalScan): string[] {
  if (target.single) return [];
  return rangeCuts([...scan.files.keys()].sort().map((rel) => target.prefix + rel));
}

/** Cuts among `keys` (over 2,000 of them) spaced a whole number of pages apart, in S3's order. */
export function rangeCuts(keys: string[]): string[] {
  if (keys.length <= 2000) return [];
  // Any keys serve as cuts; only the few cuts themselves must be in S3's (UTF-8) order.
  const step = PAGE_FILL * Math.ceil(keys.length / (PAGE_FILL * LISTING_RANGES));
  const cuts: string[] = [];
  for (let i = step; i < keys.length; i += step) cuts.push(keys[i]);
  return cuts.sort(compareKeys);
}

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function positive(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 1) throw new S3ObjectError(`${name} must be a positive number.`);
  return Math.floor(v);
}

/** Records what an operation of a two-way sync made true, so the next run compares against it. */
function recordInBase(ctx: TwoWayContext, op: Operation, applied: Applied): void {
  const base = ctx.base;
  switch (op.kind) {
    case 'upload':
    case 'download':
      if (applied.local && applied.etag !== undefined) base.set(op.path, { ...applied.local, etag: applied.etag });
      break;
    case 'conflict':
      if (applied.local && applied.etag !== undefined) base.set(op.path, { ...applied.local, etag: applied.etag });
      if (applied.copy) base.set(op.conflictPath!, { ...applied.copy.local, etag: applied.copy.etag });
      break;
    case 'move-local': {
      const old = base.get(op.from!);
      if (old && applied.local) base.set(op.path, { ...applied.local, md5: old.md5, etag: applied.etag ?? old.etag });
      base.delete(op.from!);
      break;
    }
    case 'move-remote':
      if (applied.local && applied.etag !== undefined) base.set(op.path, { ...applied.local, etag: applied.etag });
      break;
    case 'delete-local':
    case 'delete-remote':
      base.delete(op.path);
      break;
  }
}

/** Paths found equal on both sides (or gone from both) join or leave the base. */
async function adoptIntoBase(ctx: TwoWayContext, cache: HashCache): Promise<void> {
  for (const rel of ctx.adopt) {
    const l = ctx.local.get(rel);
    const r = ctx.remote.get(rel);
    if (!l && !r) {
      ctx.base.delete(rel);
      continue;
    }
    if (!l || !r) continue;
    const st = await fs.stat(l.abs).catch(() => null);
    if (!st || st.size !== l.size || st.mtimeMs !== l.mtimeMs) continue; // changed since: next run decides
    const { md5 } = await cache.get(rel, l.abs, l);
    ctx.base.set(rel, { size: l.size, mtimeMs: l.mtimeMs, ino: l.ino, md5, etag: r.etag });
  }
}
