// A fake window.s3lync for renderer tests: records every invoke, answers from per-channel
// handlers, and lets a test emit main -> renderer events.
import type { EventChannel, EventOf, InvokeChannel, RequestOf, ResponseOf, S3lyncApi } from '../../src/shared/ipc';
import type { AppSnapshot, Pair, PairState, PreparedPlan, ProfileSummary, Settings } from '../../src/shared/model';
import type { Operation, Plan } from '../../src/shared/plan';
import { countOperations } from '../../src/shared/plan';
import type { SyncResult } from '../../src/shared/progress';

export type Handlers = { [C in InvokeChannel]?: (request: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>> };

export interface FakeApi {
  api: S3lyncApi;
  calls: Array<{ channel: InvokeChannel; request: unknown }>;
  callsTo<C extends InvokeChannel>(channel: C): RequestOf<C>[];
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void;
  handlers: Handlers;
  listenerCount(): number;
}

export const settings: Settings = { concurrency: 16, launchAtLogin: false, theme: 'system', backgroundIntervalMinutes: 5 };

export function snapshot(over: Partial<AppSnapshot> = {}): AppSnapshot {
  return { pairs: [], states: [], profiles: [], settings, activity: [], allPaused: false, platform: 'linux', ...over };
}

export function profile(over: Partial<ProfileSummary> = {}): ProfileSummary {
  return {
    id: 'prof1',
    name: 'Home MinIO',
    kind: 'access-key',
    awsProfile: null,
    accessKeyHint: 'AKIA…WXYZ',
    hasSecret: true,
    endpoint: 'http://127.0.0.1:9000',
    region: 'us-east-1',
    pathStyle: true,
    ...over,
  };
}

export function pair(over: Partial<Pair> = {}): Pair {
  return {
    id: 'p1',
    localPath: '/home/ana/Photos',
    remote: 's3://media/photos/',
    direction: 'push',
    exclude: [],
    profileId: 'prof1',
    enabled: true,
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

export function state(over: Partial<PairState> = {}): PairState {
  return { pairId: 'p1', status: 'idle', lastSyncAt: null, pending: null, progress: null, error: null, lastSummary: null, held: null, conflicts: [], note: null, ...over };
}

export function op(kind: Operation['kind'], path: string, size = 100, reason = 'new file'): Operation {
  return { kind, path, key: `photos/${path}`, size: kind.startsWith('delete') ? 0 : size, reason };
}

export function plan(operations: Operation[], over: Partial<Plan> = {}): Plan {
  return {
    direction: 'push',
    mirror: false,
    localRoot: '/home/ana/Photos',
    remote: 's3://media/photos/',
    operations,
    skipped: [],
    notes: [],
    counts: countOperations(operations, 7, 0),
    guard: null,
    listingComplete: true,
    hashed: 0,
    ...over,
  };
}

export function prepared(p: Plan, over: Partial<PreparedPlan> = {}): PreparedPlan {
  return { planId: 'plan-123', pairId: 'p1', mode: 'sync', plan: p, createdAt: Date.now(), ...over };
}

export function syncResult(p: Plan, over: Partial<SyncResult> = {}): SyncResult {
  return {
    plan: p,
    done: p.operations.length,
    completed: { upload: p.counts.upload, download: p.counts.download, deleteRemote: 0, deleteLocal: 0, moveRemote: 0, moveLocal: 0, conflicts: 0 },
    failed: [],
    deletionsHeld: 0,
    heldReason: null,
    bytes: p.counts.bytes,
    seconds: 1,
    cancelled: false,
    ok: true,
    ...over,
  };
}

export function createFakeApi(snap: AppSnapshot = snapshot(), handlers: Handlers = {}): FakeApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  const all: Handlers = { 'app:get-state': () => snap, ...handlers };
  const fake: FakeApi = {
    calls,
    handlers: all,
    callsTo: <C extends InvokeChannel>(channel: C) => calls.filter((c) => c.channel === channel).map((c) => c.request as RequestOf<C>),
    emit: (event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    api: {
      invoke: async (channel, request) => {
        calls.push({ channel, request });
        const h = all[channel] as ((r: unknown) => unknown) | undefined;
        if (!h) return undefined as never;
        return (await h(request)) as never;
      },
      on: (event, listener) => {
        const set = listeners.get(event) ?? new Set();
        set.add(listener as (p: unknown) => void);
        listeners.set(event, set);
        return () => set.delete(listener as (p: unknown) => void);
      },
      pathForFile: (file: File) => (file as File & { fakePath?: string }).fakePath ?? '',
    },
  };
  return fake;
}

/** A File that the fake pathForFile maps to an absolute path. */
export function droppedFile(path: string): File {
  const f = new File(['x'], path.split('/').pop() ?? 'x');
  Object.defineProperty(f, 'fakePath', { value: path });
  return f;
}
