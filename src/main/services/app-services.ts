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
import { awsProfileNames, browse, engineOptionsFor, testConnection } from './connections';
import { ActivityLog, PairStore, ProfileStore, SettingsStore, newId } from './stores';
import type { Envelope, EventSink, Handlers, SecretBox, ShellHooks } from './types';

/** A previewed plan expires: what the user confirmed must still describe the folders. */
const PLAN_TTL_MS = 10 * 60_000;

interface Held {
  preview: PreparedPlan;
  prepared: PreparedSync;
}

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
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

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
    if (opts.background !== false) s.scheduleBackground();
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
    if (this.timer) clearInterval(this.timer);
    for (const c of this.running.values()) c.abort();
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
    });
  }

  private scheduleBackground(): void {
    if (this.timer) clearInterval(this.timer);
    const minutes = this.settings.get().backgroundIntervalMinutes;
    if (minutes <= 0) return;
    this.timer = setInterval(() => {
      if (!this.paused && !this.closed) void this.syncAll();
    }, minutes * 60_000);
    this.timer.unref?.();
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

  private async preparePlan(pairId: string, mode: 'sync' | 'force', direction?: 'push' | 'pull'): Promise<PreparedPlan> {
    const pair = this.pair(pairId);
    if (this.running.has(pairId)) throw new SyncError('This pair is syncing right now; wait for it to finish or cancel it.');
    const before = this.state(pairId).status;
    this.setState(pairId, { status: 'planning', error: null });
    const engine = this.engineFor(pair);
    try {
      const prepared = await engine.prepare({
        direction: direction ?? pair.direction,
        localPath: pair.localPath,
        remote: pair.remote,
        mirror: mode === 'force',
        exclude: pair.exclude,
      });
      const preview: PreparedPlan = { planId: newId(), pairId, mode, plan: prepared.plan, createdAt: Date.now() };
      this.plans.set(preview.planId, { preview, prepared });
      for (const [idx, held] of this.plans) if (Date.now() - held.preview.createdAt > PLAN_TTL_MS) this.plans.delete(idx);
      const c = prepared.plan.counts;
      if (mode === 'sync') {
        const work = c.upload + c.download + c.deleteLocal + c.deleteRemote;
        this.setState(pairId, {
          status: !pair.enabled || this.paused ? 'paused' : work ? 'pending' : 'in-sync',
          pending: { upload: c.upload, download: c.download, delete: c.deleteLocal + c.deleteRemote, conflicts: 0 },
        });
      } else {
        this.setState(pairId, { status: before === 'planning' ? 'idle' : before });
      }
      return preview;
    } catch (err) {
      const message = describeError(err, { action: `planning ${pair.remote}` });
      this.setState(pairId, { status: 'error', error: message });
      this.log('error', message, pairId);
      throw new SyncError(message);
    } finally {
      engine.close();
    }
  }

  private async runHeld(held: Held): Promise<SyncResult> {
    const { preview, prepared } = held;
    const pair = this.pair(preview.pairId);
    if (this.running.has(pair.id)) throw new SyncError('This pair is already syncing.');
    const controller = new AbortController();
    this.running.set(pair.id, controller);
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
      if (result.cancelled) {
        this.setState(pair.id, { status: this.paused || !pair.enabled ? 'paused' : 'idle', progress: null, lastSummary: `Cancelled: ${summary}` });
        this.log('warning', `${label} cancelled: ${summary}.`, pair.id);
      } else if (result.ok) {
        this.setState(pair.id, {
          status: this.paused || !pair.enabled ? 'paused' : 'in-sync',
          progress: null,
          lastSyncAt: Date.now(),
          lastSummary: summary,
          pending: { upload: 0, download: 0, delete: 0, conflicts: 0 },
        });
        this.log('info', `${label} of ${path.basename(pair.localPath)} finished: ${summary}.`, pair.id);
        if (preview.mode === 'force') this.opts.hooks.notify('Force sync finished', `${path.basename(pair.localPath)}: ${summary}.`);
      } else {
        this.setState(pair.id, { status: 'error', progress: null, error: firstProblem ?? 'The sync did not finish.', lastSummary: summary });
        this.log('error', `${label} of ${path.basename(pair.localPath)} had problems: ${firstProblem}`, pair.id);
        this.opts.hooks.notify('s3lync: sync problem', `${path.basename(pair.localPath)}: ${firstProblem}`);
      }
      return result;
    } catch (err) {
      const message = describeError(err, { action: `syncing ${pair.remote}` });
      this.setState(pair.id, { status: 'error', progress: null, error: message });
      this.log('error', message, pair.id);
      this.opts.hooks.notify('s3lync: sync failed', `${path.basename(pair.localPath)}: ${message}`);
      throw new SyncError(message);
    } finally {
      this.running.delete(pair.id);
    }
  }

  private async syncPair(id: string): Promise<SyncResult> {
    const preview = await this.preparePlan(id, 'sync');
    return this.runHeld(this.plans.get(preview.planId)!);
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
        return pair;
      },
      'pairs:update': async ({ id, patch }) => {
        const current = this.pair(id);
        if (this.running.has(id)) throw new SyncError('Wait for the running sync to finish before editing the pair.');
        const next: Pair = { ...current, ...patch, id, createdAt: current.createdAt };
        await this.validatePair(next, id);
        await this.pairs.put(next);
        this.emit('pairs:changed', this.pairs.list());
        this.setState(id, { status: next.enabled ? 'idle' : 'paused', pending: null, error: null });
        return next;
      },
      'pairs:remove': async ({ id }) => {
        this.pair(id);
        this.running.get(id)?.abort();
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
        this.setState(id, { status: enabled && !this.paused ? 'idle' : 'paused' });
      },
      'pairs:plan': async ({ id, mode, direction }) => this.preparePlan(id, mode, direction),
      'pairs:sync': async ({ id }) => this.syncPair(id),
      'pairs:run-plan': async ({ planId }) => {
        const held = this.plans.get(planId);
        if (!held || Date.now() - held.preview.createdAt > PLAN_TTL_MS) {
          this.plans.delete(planId);
          throw new SyncError('This preview is out of date. Preview the changes again, then confirm.');
        }
        return this.runHeld(held);
      },
      'pairs:cancel': async ({ id }) => {
        this.pair(id);
        this.running.get(id)?.abort();
      },
      'pairs:open-folder': async ({ id }) => {
        await this.opts.hooks.openPath(this.pair(id).localPath);
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
        if (patch.backgroundIntervalMinutes !== undefined && this.timer !== null) this.scheduleBackground();
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
  return { pairId: pair.id, status: pair.enabled ? 'idle' : 'paused', lastSyncAt: null, pending: null, progress: null, error: null, lastSummary: null };
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
