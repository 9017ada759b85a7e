// The app's main-process services: pairs, their plans and syncs, profiles, settings and the
// activity log, behind the IPC contract's handlers. Runs in plain Node (the Electron shell and
// the e2e harness both host it); the shell supplies dialogs, notifications and secret storage.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseRequest, type EventChannel, type EventOf } from '../../shared/ipc';
import type { OverallState, Pair, PairState, PreparedPlan, Settings } from '../../shared/model';
import type { SyncResult } from '../../shared/progress';
import { SyncEngine, type PreparedSync } from '../sync/engine';
import { S3ObjectError, SyncError, describeError } from '../sync/errors';
import { Excluder } from '../sync/exclude';
import { parseS3Uri } from '../sync/uri';
import { FolderWatcher, PairRunner } from '../sync/watch';
import { Semaphore } from '../sync/concurrency';
import { awsProfileNames, browse, engineOptionsFor, testConnection } from './connections';
import { ActivityLog, PairStore, ProfileStore, SettingsStore, newId } from './stores';
import type { Envelope, EventSink, Handlers, SecretBox, ShellHooks } from './types';

/** A previewed plan expires: what the user confirmed must still describe the folders. */
const PLAN_TTL_MS = 10 * 60_000;

interface Held {
  preview: PreparedPlan;
  prepared: PreparedSync;
}

interface Live {
  runner: PairRunner;
  watcher: FolderWatcher | null;
  timers: NodeJS.Timeout[];
}

const DEFAULT_POLL_SECONDS = 60;
const GLOBAL_TRANSFERS = 32;

export interface AppServicesOptions {
  dataDir: string;
  secrets: SecretBox;
  hooks: ShellHooks;
  sink: EventSink;
  /** Start the background timer (default true; tests turn it off). */
  background?: boolean;
}

export class AppServices {
  readonly handlers: Handlers;
  private readonly pairs: PairStore;
  private readonly profiles: ProfileStore;
  private readonly settings: SettingsStore;
  private readonly activity: ActivityLog;
  private readonly states = new Map<string, PairState>();
  private readonly running = new Map<string, AbortController>();
  private readonly plans = new Map<string, Held>();
  private readonly listeners = new Set<() => void>();
  private paused = false;
  private closed = false;
  /** Background machinery of each enabled pair: runner (queue), watcher, timers. */
  private readonly live = new Map<string, Live>();
  /** One sync of a pair at a time, whether the user or the background started it. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** The global transfer limit: all pairs together move at most this many files at once. */
  private readonly transferSlots = new Semaphore(GLOBAL_TRANSFERS);

  private constructor(private readonly opts: AppServicesOptions) {
    this.pairs = new PairStore(opts.dataDir);
    this.profiles = new ProfileStore(opts.dataDir, opts.secrets);
    this.settings = new SettingsStore(opts.dataDir);
    this.activity = new ActivityLog(opts.dataDir);
    this.handlers = this.buildHandlers();
  }

  static async create(opts: AppServicesOptions): Promise<AppServices> {
    await fs.mkdir(opts.dataDir, { recursive: true });
    const s = new AppServices(opts);
    await Promise.all([s.settings.load(), s.activity.load()]);
    const problems = [...(await s.pairs.load()), ...(await s.profiles.load())];
    for (const p of problems) s.activity.add('warning', p);
    for (const pair of s.pairs.list()) s.states.set(pair.id, initialState(pair));
    if (opts.background !== false) for (const pair of s.pairs.list()) await s.startPair(pair);
    return s;
  }

  // ---- what the shell asks for (tray, menu) ----

  overall(): OverallState {
    const states = [...this.states.values()];
    if (states.some((s) => s.status === 'error')) return 'error';
    if (states.some((s) => s.status === 'conflict')) return 'conflict';
    if (states.some((s) => s.status === 'syncing' || s.status === 'planning')) return 'syncing';
    if (this.paused || (states.length > 0 && states.every((s) => s.status === 'paused'))) return 'paused';
    return 'in-sync';
  }

  trayPairs(): Array<{ pair: Pair; state: PairState }> {
    return this.pairs.list().map((pair) => ({ pair, state: this.states.get(pair.id) ?? initialState(pair) }));
  }

  allPaused(): boolean {
    return this.paused;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async syncAll(): Promise<void> {
    await Promise.all(
      this.pairs
        .list()
        .filter((p) => p.enabled && !this.running.has(p.id))
        .map((p) => this.syncPair(p.id).catch(() => undefined)),
    );
  }

  async pauseAll(paused: boolean): Promise<void> {
    this.paused = paused;
    if (paused) for (const c of this.running.values()) c.abort();
    for (const l of this.live.values()) {
      if (paused) l.runner.pause();
      else l.runner.resume();
    }
    for (const pair of this.pairs.list()) {
      const st = this.state(pair.id);
      if (paused && st.status !== 'syncing') this.setState(pair.id, { status: 'paused' });
      if (!paused && pair.enabled && st.status === 'paused') this.setState(pair.id, { status: 'idle' });
    }
    this.activity.add('info', paused ? 'Paused all pairs.' : 'Resumed all pairs.');
    this.emit('app:paused', paused);
    this.changed();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const c of this.running.values()) c.abort();
    await Promise.all([...this.live.keys()].map((id) => this.stopPair(id)));
    await this.activity.flush();
  }

  // ---- internals ----

  private emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    if (!this.closed) this.opts.sink.emit(event, payload);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private log(level: 'info' | 'warning' | 'error', message: string, pairId: string | null = null): void {
    this.emit('activity:added', this.activity.add(level, message, pairId));
  }

  private state(id: string): PairState {
    const s = this.states.get(id);
    if (!s) throw new S3ObjectError('That pair no longer exists.');
    return s;
  }

  private setState(id: string, patch: Partial<PairState>): void {
    const next = { ...this.state(id), ...patch };
    this.states.set(id, next);
    this.emit('pair:state', next);
    this.changed();
  }

  private pair(id: string): Pair {
    const p = this.pairs.get(id);
    if (!p) throw new S3ObjectError('That pair no longer exists.');
    return p;
  }

  private engineFor(pair: Pair): SyncEngine {
    const profile = this.profiles.get(pair.profileId);
    if (!profile) throw new S3ObjectError('This pair has no connection profile any more. Edit the pair and choose one.');
    return new SyncEngine({
      ...engineOptionsFor(profile, this.profiles),
      concurrency: this.settings.get().concurrency,
      dataDir: path.join(this.opts.dataDir, 'engine'),
      transferSlots: this.transferSlots,
    });
  }

  /** Starts syncing a pair by itself: a watcher for local changes, polling for remote ones, a periodic rescan. */
  private async startPair(pair: Pair): Promise<void> {
    if (this.opts.background === false || this.closed || !pair.enabled || this.live.has(pair.id)) return;
    const runner = new PairRunner({
      sync: (signal, only) => this.backgroundSync(pair.id, signal, only),
      onError: (message, retry) => {
        if (retry !== null) this.log('warning', `${message} Retrying in ${retry} s.`, pair.id);
      },
      onHeld: (message) => {
        this.setState(pair.id, { status: 'paused', held: message });
        this.log('warning', `${path.basename(pair.localPath)}: ${message} Review the deletions in the app to allow them.`, pair.id);
        this.opts.hooks.notify('s3lync needs you', `${path.basename(pair.localPath)}: ${message}`);
      },
    });
    const live: Live = { runner, watcher: null, timers: [] };
    this.live.set(pair.id, live);
    if (pair.direction !== 'pull') {
      live.watcher = new FolderWatcher(pair.localPath, new Excluder(pair.exclude), (paths) => runner.request(paths ?? undefined), {
        onNote: (note) => {
          if (this.states.has(pair.id)) this.setState(pair.id, { note });
          this.log('warning', note, pair.id);
        },
      });
      try {
        await live.watcher.start();
      } catch (err) {
        this.log('warning', `Cannot watch ${pair.localPath} (${describeError(err)}); it is rescanned periodically instead.`, pair.id);
      }
    }
    const poll = pair.direction === 'push' ? 0 : (pair.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
    if (poll) live.timers.push(setInterval(() => runner.request(), poll));
    const rescan = this.settings.get().backgroundIntervalMinutes * 60_000;
    if (rescan && (pair.direction === 'push' || rescan < poll)) live.timers.push(setInterval(() => runner.request(), rescan));
    for (const t of live.timers) t.unref?.();
    if (this.paused) runner.pause();
    else runner.request(); // catch up with whatever changed while s3lync was not running
  }

  private async stopPair(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) return;
    this.live.delete(id);
    for (const t of live.timers) clearInterval(t);
    await live.watcher?.close();
    await live.runner.stop();
  }

  private async restartPair(id: string): Promise<void> {
    await this.stopPair(id);
    const pair = this.pairs.get(id);
    if (pair) await this.startPair(pair);
  }

  /** Runs `fn` when no other sync of the pair is running (user and background take turns). */
  private async withPairLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  private async backgroundSync(id: string, signal: AbortSignal, only: string[] | null): Promise<SyncResult> {
    return this.withPairLock(id, async () => {
      const preview = await this.preparePlan(id, 'sync', undefined, false, true, only);
      if (signal.aborted) throw new SyncError('Cancelled.');
      return this.runHeld(this.plans.get(preview.planId)!, signal, true);
    });
  }

  private async validatePair(input: Omit<Pair, 'id' | 'createdAt'>, selfId?: string): Promise<void> {
    if (!path.isAbsolute(input.localPath)) throw new S3ObjectError('Choose the local folder with its full path.');
    const st = await fs.stat(input.localPath).catch(() => null);
    if (!st?.isDirectory()) throw new S3ObjectError(`${input.localPath} is not an existing folder.`);
    const { key } = parseS3Uri(input.remote);
    if (key && !key.endsWith('/')) throw new S3ObjectError(`Pairs sync folders with prefixes: end the S3 URI with "/" (s3://…/${key}/).`);
    new Excluder(input.exclude);
    if (!this.profiles.get(input.profileId)) throw new S3ObjectError('Choose a connection profile (add one in Settings).');
    const resolved = path.resolve(input.localPath);
    const data = path.resolve(this.opts.dataDir);
    if (inside(resolved, data) || inside(data, resolved)) throw new S3ObjectError('That folder holds s3lync’s own data; choose another folder.');
    for (const other of this.pairs.list()) {
      if (other.id === selfId) continue;
      const o = path.resolve(other.localPath);
      if (inside(resolved, o) || inside(o, resolved)) {
        throw new S3ObjectError(`${input.localPath} overlaps the pair of ${other.localPath}; one folder can be in one pair only.`);
      }
    }
  }

  private async preparePlan(
    pairId: string,
    mode: 'sync' | 'force',
    direction?: 'push' | 'pull',
    allowDeletions = false,
    quiet = false,
    only: string[] | null = null,
  ): Promise<PreparedPlan> {
    const pair = this.pair(pairId);
    if (this.running.has(pairId) && !quiet) throw new SyncError('This pair is syncing right now; wait for it to finish or cancel it.');
    const before = this.state(pairId).status;
    if (!quiet) this.setState(pairId, { status: 'planning', error: null });
    const engine = this.engineFor(pair);
    try {
      const prepared = await engine.prepare({
        direction: direction ?? pair.direction,
        localPath: pair.localPath,
        remote: pair.remote,
        mirror: mode === 'force',
        exclude: pair.exclude,
        maxDelete: allowDeletions ? Number.MAX_SAFE_INTEGER : undefined,
        only: only ?? undefined,
      });
      const preview: PreparedPlan = { planId: newId(), pairId, mode, plan: prepared.plan, createdAt: Date.now() };
      this.plans.set(preview.planId, { preview, prepared });
      for (const [idx, held] of this.plans) if (Date.now() - held.preview.createdAt > PLAN_TTL_MS) this.plans.delete(idx);
      const c = prepared.plan.counts;
      if (mode === 'sync') {
        const work = prepared.plan.operations.length;
        const pending = { upload: c.upload + c.moveRemote, download: c.download + c.moveLocal, delete: c.deleteLocal + c.deleteRemote, conflicts: c.conflicts };
        this.setState(pairId, { pending, status: this.settle(pair, work ? 'pending' : 'in-sync') });
      } else if (!quiet) {
        this.setState(pairId, { status: before === 'planning' ? 'idle' : before });
      }
      return preview;
    } catch (err) {
      const message = describeError(err, { action: `planning ${pair.remote}` });
      const wasError = this.state(pairId).status === 'error';
      this.setState(pairId, { status: 'error', error: message });
      if (!quiet || !wasError) this.log('error', message, pairId);
      throw err;
    } finally {
      engine.close();
    }
  }

  /** What a pair's status is when nothing is running, given what the last look found. */
  private settle(pair: Pair, otherwise: 'in-sync' | 'pending' | 'idle'): PairState['status'] {
    const st = this.states.get(pair.id);
    if (st?.held) return 'paused';
    if (st?.conflicts.length) return 'conflict';
    if (this.paused || !pair.enabled) return 'paused';
    return otherwise;
  }

  private async runHeld(held: Held, outer?: AbortSignal, background = false): Promise<SyncResult> {
    const { preview, prepared } = held;
    const pair = this.pair(preview.pairId);
    if (this.running.has(pair.id)) throw new SyncError('This pair is already syncing.');
    const controller = new AbortController();
    outer?.addEventListener('abort', () => controller.abort(), { once: true });
    this.running.set(pair.id, controller);
    if (background && preview.plan.operations.length === 0) {
      // Nothing to do: no "syncing" flicker, no log line.
      try {
        const result = await prepared.run({ signal: controller.signal });
        if (result.ok) this.setState(pair.id, { status: this.settle(pair, 'in-sync'), error: null, lastSyncAt: Date.now() });
        return result;
      } finally {
        this.running.delete(pair.id);
      }
    }
    this.plans.delete(preview.planId);
    this.setState(pair.id, { status: 'syncing', error: null, progress: null });
    const label = preview.mode === 'force' ? `Force sync (${preview.plan.direction === 'push' ? 'S3 made to match the folder' : 'folder made to match S3'})` : 'Sync';
    try {
      const result = await prepared.run({
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress') this.setState(pair.id, { progress: e.progress });
          else if (e.type === 'operation-failed') this.log('error', `${e.failure.operation.path}: ${e.failure.message}`, pair.id);
          else if (e.type === 'warning') this.log('warning', e.message, pair.id);
        },
      });
      const summary = summarize(result);
      const firstProblem = result.failed[0]?.message ?? result.heldReason;
      const made = preview.plan.operations
        .filter((o) => o.kind === 'conflict' && o.conflictPath && !result.failed.some((f) => f.operation === o))
        .map((o) => o.conflictPath!);
      if (made.length) {
        const conflicts = [...new Set([...this.state(pair.id).conflicts, ...made])];
        this.setState(pair.id, { conflicts });
        this.log('warning', `${made.length} conflict${made.length === 1 ? '' : 's'} in ${path.basename(pair.localPath)}: both versions kept (${made.join(', ')}).`, pair.id);
        this.opts.hooks.notify('s3lync kept both versions', `${path.basename(pair.localPath)}: ${made.join(', ')}`);
      }
      if (result.cancelled) {
        this.setState(pair.id, { status: this.settle(pair, 'idle'), progress: null, lastSummary: `Cancelled: ${summary}` });
        this.log('warning', `${label} cancelled: ${summary}.`, pair.id);
      } else if (result.ok) {
        this.setState(pair.id, {
          held: null,
          progress: null,
          lastSyncAt: Date.now(),
          lastSummary: summary,
          pending: { upload: 0, download: 0, delete: 0, conflicts: 0 },
        });
        this.setState(pair.id, { status: this.settle(pair, 'in-sync') });
        this.log('info', `${label} of ${path.basename(pair.localPath)} finished: ${summary}.`, pair.id);
        if (preview.mode === 'force') this.opts.hooks.notify('Force sync finished', `${path.basename(pair.localPath)}: ${summary}.`);
      } else if (result.plan.guard?.tripped && result.failed.length === 0) {
        // Held by the deletion guard: the runner pauses a background pair; a manual run just says so.
        this.setState(pair.id, { status: background ? 'paused' : this.settle(pair, 'pending'), progress: null, lastSummary: summary, held: background ? result.heldReason : null });
        if (!background) this.log('warning', result.heldReason ?? 'Deletions were held back.', pair.id);
      } else {
        const wasError = this.state(pair.id).status === 'error';
        this.setState(pair.id, { status: 'error', progress: null, error: firstProblem ?? 'The sync did not finish.', lastSummary: summary });
        this.log('error', `${label} of ${path.basename(pair.localPath)} had problems: ${firstProblem}`, pair.id);
        if (!wasError) this.opts.hooks.notify('s3lync: sync problem', `${path.basename(pair.localPath)}: ${firstProblem}`);
      }
      return result;
    } catch (err) {
      const message = describeError(err, { action: `syncing ${pair.remote}` });
      const wasError = this.state(pair.id).status === 'error';
      this.setState(pair.id, { status: 'error', progress: null, error: message });
      this.log('error', message, pair.id);
      if (!wasError) this.opts.hooks.notify('s3lync: sync failed', `${path.basename(pair.localPath)}: ${message}`);
      throw err;
    } finally {
      this.running.delete(pair.id);
    }
  }

  private async syncPair(id: string): Promise<SyncResult> {
    return this.withPairLock(id, async () => {
      const preview = await this.preparePlan(id, 'sync');
      return this.runHeld(this.plans.get(preview.planId)!);
    });
  }

  private buildHandlers(): Handlers {
    return {
      'app:get-state': async () => ({
        pairs: this.pairs.list(),
        states: this.pairs.list().map((p) => this.state(p.id)),
        profiles: this.profiles.list(),
        settings: this.settings.get(),
        activity: this.activity.list(),
        allPaused: this.paused,
        platform: process.platform,
      }),
      'pairs:create': async (input) => {
        await this.validatePair(input);
        const pair: Pair = { ...input, id: newId(), localPath: path.resolve(input.localPath), createdAt: Date.now() };
        await this.pairs.put(pair);
        this.states.set(pair.id, initialState(pair));
        this.emit('pairs:changed', this.pairs.list());
        this.emit('pair:state', this.state(pair.id));
        this.log('info', `Paired ${pair.localPath} with ${pair.remote}.`, pair.id);
        this.changed();
        await this.startPair(pair);
        return pair;
      },
      'pairs:update': async ({ id, patch }) => {
        const current = this.pair(id);
        if (this.running.has(id)) throw new SyncError('Wait for the running sync to finish before editing the pair.');
        const next: Pair = { ...current, ...patch, id, createdAt: current.createdAt };
        await this.validatePair(next, id);
        await this.pairs.put(next);
        this.emit('pairs:changed', this.pairs.list());
        this.setState(id, { status: next.enabled ? 'idle' : 'paused', pending: null, error: null, held: null });
        await this.restartPair(id);
        return next;
      },
      'pairs:remove': async ({ id }) => {
        this.pair(id);
        this.running.get(id)?.abort();
        await this.stopPair(id);
        await this.pairs.remove(id);
        this.states.delete(id);
        this.emit('pairs:changed', this.pairs.list());
        this.log('info', 'Removed a pair (no files were deleted).', null);
        this.changed();
      },
      'pairs:set-enabled': async ({ id, enabled }) => {
        const pair = { ...this.pair(id), enabled };
        await this.pairs.put(pair);
        if (!enabled) this.running.get(id)?.abort();
        this.emit('pairs:changed', this.pairs.list());
        this.setState(id, { status: enabled && !this.paused ? 'idle' : 'paused', held: null });
        if (enabled) await this.startPair(pair);
        else await this.stopPair(id);
      },
      'pairs:plan': async ({ id, mode, direction, allowDeletions }) => this.preparePlan(id, mode, direction, allowDeletions ?? false),
      'pairs:sync': async ({ id }) => this.syncPair(id),
      'pairs:run-plan': async ({ planId }) => {
        const held = this.plans.get(planId);
        if (!held || Date.now() - held.preview.createdAt > PLAN_TTL_MS) {
          this.plans.delete(planId);
          throw new SyncError('This preview is out of date. Preview the changes again, then confirm.');
        }
        const result = await this.withPairLock(held.preview.pairId, () => this.runHeld(held));
        // A pair paused by the guard goes on by itself once the user has allowed the deletions.
        if (result.ok) this.live.get(held.preview.pairId)?.runner.resume();
        return result;
      },
      'pairs:cancel': async ({ id }) => {
        this.pair(id);
        this.running.get(id)?.abort();
      },
      'pairs:open-folder': async ({ id, path: rel }) => {
        const root = this.pair(id).localPath;
        if (!rel) return this.opts.hooks.openPath(root);
        const target = path.resolve(root, path.dirname(rel));
        if (!inside(target, path.resolve(root))) throw new S3ObjectError('That path is not inside the pair’s folder.');
        await this.opts.hooks.openPath(target);
      },
      'pairs:dismiss-conflicts': async ({ id }) => {
        const pair = this.pair(id);
        this.setState(id, { conflicts: [] });
        const st = this.state(id);
        if (st.status === 'conflict') this.setState(id, { status: this.settle(pair, 'in-sync') });
      },
      'sync:all': async () => {
        void this.syncAll();
      },
      'sync:pause-all': async ({ paused }) => this.pauseAll(paused),
      'profiles:save': async (input) => {
        const saved = await this.profiles.save(input);
        this.emit('profiles:changed', this.profiles.list());
        this.log('info', `Saved the connection profile "${saved.name}".`);
        return saved;
      },
      'profiles:remove': async ({ id }) => {
        const users = this.pairs.list().filter((p) => p.profileId === id);
        if (users.length) throw new S3ObjectError(`This profile is used by ${users.length} pair${users.length === 1 ? '' : 's'}; change or remove them first.`);
        await this.profiles.remove(id);
        this.emit('profiles:changed', this.profiles.list());
      },
      'profiles:test': async ({ id }) => {
        const p = this.profiles.get(id);
        if (!p) throw new S3ObjectError('That connection profile no longer exists.');
        return testConnection(p, this.profiles);
      },
      'profiles:aws-names': async () => awsProfileNames(),
      'browse:list': async ({ profileId, bucket, prefix }) => {
        const p = this.profiles.get(profileId);
        if (!p) throw new S3ObjectError('Choose a connection profile first.');
        return browse(p, this.profiles, bucket, prefix);
      },
      'dialog:choose-folder': async () => this.opts.hooks.chooseFolder(),
      'path:inspect': async ({ path: p }) => {
        const st = await fs.stat(p).catch(() => null);
        return { kind: !st ? 'missing' : st.isDirectory() ? 'folder' : 'file' };
      },
      'settings:update': async (patch) => {
        const before = this.settings.get();
        const next: Settings = await this.settings.update(patch);
        if (patch.launchAtLogin !== undefined && patch.launchAtLogin !== before.launchAtLogin) this.opts.hooks.setLaunchAtLogin(patch.launchAtLogin);
        if (patch.backgroundIntervalMinutes !== undefined && patch.backgroundIntervalMinutes !== before.backgroundIntervalMinutes) {
          for (const id of [...this.live.keys()]) await this.restartPair(id);
        }
        this.emit('settings:changed', next);
        return next;
      },
      'activity:clear': async () => {
        this.activity.clear();
      },
    };
  }
}

function initialState(pair: Pair): PairState {
  return {
    pairId: pair.id,
    status: pair.enabled ? 'idle' : 'paused',
    lastSyncAt: null,
    pending: null,
    progress: null,
    error: null,
    lastSummary: null,
    held: null,
    conflicts: [],
    note: null,
  };
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

function summarize(r: SyncResult): string {
  const k = r.completed;
  const parts = [
    k.upload && `${k.upload} uploaded`,
    k.download && `${k.download} downloaded`,
    k.deleteRemote && `${k.deleteRemote} deleted on S3`,
    k.deleteLocal && `${k.deleteLocal} moved to the trash`,
    k.moveRemote + k.moveLocal && `${k.moveRemote + k.moveLocal} renamed`,
    k.conflicts && `${k.conflicts} conflict${k.conflicts === 1 ? '' : 's'} kept as copies`,
    r.failed.length && `${r.failed.length} failed`,
    r.deletionsHeld && `${r.deletionsHeld} deletions held back`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing to do';
}

/** Routes a raw (channel, payload) to its handler after validating the payload against the contract. */
export function createRouter(handlers: Handlers): (channel: string, payload: unknown) => Promise<Envelope> {
  return async (channel, payload) => {
    const parsed = parseRequest(channel, payload);
    if (!parsed.ok) return { ok: false, error: 'InvalidRequest', message: parsed.message };
    try {
      const handler = handlers[parsed.channel] as (req: unknown) => Promise<unknown>;
      const value = await handler(parsed.value);
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      return { ok: false, error: (err as Error)?.name ?? 'Error', message: describeError(err) };
    }
  };
}

/** A random id for test transports and the like. */
export function token(): string {
  return randomBytes(16).toString('hex');
}
