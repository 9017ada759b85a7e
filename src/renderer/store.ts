// The renderer's store. It holds only what main reports (the snapshot from app:get-state, then
// the events) plus pure UI state (open dialogs, toasts, filters, drag overlay). Actions call
// main and show what it answers; they never decide what a sync does.
import { create } from 'zustand';
import type { EventChannel, EventOf, S3lyncApi } from '../shared/ipc';
import type {
  ActivityEntry,
  AppSnapshot,
  Pair,
  PairDirection,
  PairState,
  PreparedPlan,
  ProfileSummary,
  Settings,
} from '../shared/model';
import type { SyncResult } from '../shared/progress';
import { Client, errorMessage } from './api';
import { baseName, describeResult } from './format';

const ACTIVITY_KEEP = 500;

export type ToastKind = 'error' | 'warning' | 'success' | 'info';
export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  title?: string;
}

export type SettingsTab = 'connections' | 'general';

export type Dialog =
  | { id: number; type: 'new-pair'; localPath: string; seq: number }
  | { id: number; type: 'edit-pair'; pairId: string }
  | { id: number; type: 'diff'; pairId: string; allowDeletions: boolean; prepared: PreparedPlan | null; error: string | null }
  | {
      id: number;
      type: 'force';
      pairId: string;
      direction: ForceDirection | null;
      prepared: PreparedPlan | null;
      loading: boolean;
      error: string | null;
    }
  | { id: number; type: 'settings'; tab: SettingsTab; newProfile: boolean }
  | { id: number; type: 'activity' }
  | { id: number; type: 'remove-pair'; pairId: string };

/** Which side wins in a force sync: push makes S3 match the folder, pull the reverse. */
export type ForceDirection = 'push' | 'pull';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type DialogInit = DistributiveOmit<Dialog, 'id'>;

export interface AppState {
  // --- What main reports ---
  loaded: boolean;
  loadError: string | null;
  pairs: Pair[];
  states: Record<string, PairState>;
  profiles: ProfileSummary[];
  settings: Settings | null;
  activity: ActivityEntry[];
  allPaused: boolean;
  platform: string;
  // --- Pure UI state ---
  dialogs: Dialog[];
  toasts: Toast[];
  dragging: boolean;
  pairFilter: string;
  /** Highest activity id the user has seen in the Activity view. */
  activitySeenId: number;
}

const initialState: AppState = {
  loaded: false,
  loadError: null,
  pairs: [],
  states: {},
  profiles: [],
  settings: null,
  activity: [],
  allPaused: false,
  platform: '',
  dialogs: [],
  toasts: [],
  dragging: false,
  pairFilter: '',
  activitySeenId: 0,
};

export const useApp = create<AppState>(() => ({ ...initialState }));

let client: Client | null = null;
let nextId = 1;
const uid = () => nextId++;

function api(): Client {
  if (!client) throw new Error('The store is not initialised: call initStore(api) first.');
  return client;
}

// ---------------------------------------------------------------------------------------------
// Applying what main reports

function sortActivity(entries: ActivityEntry[]): ActivityEntry[] {
  return [...entries].sort((a, b) => b.at - a.at || b.id - a.id).slice(0, ACTIVITY_KEEP);
}

function applySnapshot(s: AppSnapshot): void {
  const states: Record<string, PairState> = {};
  for (const st of s.states) states[st.pairId] = st;
  const activity = sortActivity(s.activity);
  useApp.setState({
    loaded: true,
    loadError: null,
    pairs: s.pairs,
    states,
    profiles: s.profiles,
    settings: s.settings,
    activity,
    allPaused: s.allPaused,
    platform: s.platform,
    activitySeenId: activity.reduce((m, e) => Math.max(m, e.id), 0),
  });
}

type Handlers = { [E in EventChannel]: (payload: EventOf<E>) => void };

const handlers: Handlers = {
  'pair:state': (st) => useApp.setState((s) => ({ states: { ...s.states, [st.pairId]: st } })),
  'pairs:changed': (pairs) =>
    useApp.setState((s) => {
      const states: Record<string, PairState> = {};
      for (const p of pairs) if (s.states[p.id]) states[p.id] = s.states[p.id];
      return { pairs, states };
    }),
  'profiles:changed': (profiles) => useApp.setState({ profiles }),
  'settings:changed': (settings) => useApp.setState({ settings }),
  'activity:added': (entry) =>
    useApp.setState((s) =>
      s.activity.some((e) => e.id === entry.id) ? {} : { activity: sortActivity([entry, ...s.activity]) },
    ),
  'app:paused': (paused) => useApp.setState({ allPaused: paused }),
};

/**
 * Connects the store to main: subscribes to every event once, then loads the snapshot. Events
 * that arrive before the snapshot are replayed on top of it (they are at least as new).
 * Returns a function that unsubscribes. Pass a fake api in tests.
 */
export function initStore(rawApi: S3lyncApi): () => void {
  client = new Client(rawApi);
  nextId = 1;
  useApp.setState({ ...initialState }, true);
  let buffer: Array<() => void> | null = [];
  const unsubs: Array<() => void> = [];
  for (const event of Object.keys(handlers) as EventChannel[]) {
    const handle = handlers[event] as (p: unknown) => void;
    unsubs.push(
      rawApi.on(event, (payload: unknown) => {
        if (buffer) {
          buffer.push(() => handle(payload));
          if (buffer.length > 10_000) buffer.shift();
        }
        else handle(payload);
      }),
    );
  }
  let disposed = false;
  const load = async () => {
    try {
      const snapshot = await api().invoke('app:get-state', {});
      if (disposed) return;
      applySnapshot(snapshot);
      const pending = buffer ?? [];
      buffer = null;
      for (const apply of pending) apply();
    } catch (err) {
      if (!disposed) useApp.setState({ loadError: errorMessage(err) });
    }
  };
  reloadFn = load;
  void load();
  return () => {
    disposed = true;
    for (const u of unsubs) u();
  };
}

let reloadFn: (() => Promise<void>) | null = null;

/** Tries app:get-state again after it failed. */
export async function reload(): Promise<void> {
  useApp.setState({ loadError: null });
  await reloadFn?.();
}

// ---------------------------------------------------------------------------------------------
// Toasts

export function toast(kind: ToastKind, message: string, title?: string): number {
  const id = uid();
  useApp.setState((s) => ({ toasts: [...s.toasts.slice(-4), { id, kind, message, title }] }));
  return id;
}

export function dismissToast(id: number): void {
  useApp.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

/** Runs an invoke; on failure shows the error sentence in a toast and returns undefined. */
async function attempt<T>(work: () => Promise<T>, title?: string): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    toast('error', errorMessage(err), title);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Dialogs

export function openDialog(init: DialogInit): number {
  const id = uid();
  useApp.setState((s) => ({ dialogs: [...s.dialogs, { ...init, id } as Dialog] }));
  return id;
}

export function closeDialog(id: number): void {
  useApp.setState((s) => ({ dialogs: s.dialogs.filter((d) => d.id !== id) }));
}

function patchDialog<T extends Dialog['type']>(
  id: number,
  type: T,
  patch: Partial<Extract<Dialog, { type: T }>>,
): void {
  useApp.setState((s) => ({
    dialogs: s.dialogs.map((d) => (d.id === id && d.type === type ? ({ ...d, ...patch } as Dialog) : d)),
  }));
}

function findDialog(id: number): Dialog | undefined {
  return useApp.getState().dialogs.find((d) => d.id === id);
}

/** Opens New pair with the folder filled in (or fills it into the New pair already on top). */
export function openNewPair(localPath = ''): void {
  const { dialogs } = useApp.getState();
  const top = dialogs[dialogs.length - 1];
  if (top?.type === 'new-pair') {
    if (localPath) patchDialog(top.id, 'new-pair', { localPath, seq: top.seq + 1 });
    return;
  }
  openDialog({ type: 'new-pair', localPath, seq: 0 });
}

export function openSettings(tab: SettingsTab = 'connections', newProfile = false): void {
  openDialog({ type: 'settings', tab, newProfile });
}

export function openActivity(): void {
  const maxId = useApp.getState().activity.reduce((m, e) => Math.max(m, e.id), 0);
  useApp.setState({ activitySeenId: maxId });
  openDialog({ type: 'activity' });
}

export function setPairFilter(pairFilter: string): void {
  useApp.setState({ pairFilter });
}

export function setDragging(dragging: boolean): void {
  if (useApp.getState().dragging !== dragging) useApp.setState({ dragging });
}

// ---------------------------------------------------------------------------------------------
// Pair actions

function pairName(pairId: string): string {
  const pair = useApp.getState().pairs.find((p) => p.id === pairId);
  return pair ? baseName(pair.localPath) : 'The pair';
}

function reportResult(pairId: string, result: SyncResult): void {
  const name = pairName(pairId);
  if (result.cancelled) toast('info', `Sync of ${name} was cancelled: ${describeResult(result)}.`);
  else if (result.ok) toast('success', `${name}: ${describeResult(result)}.`, 'Sync finished');
  else toast('warning', `${name}: ${describeResult(result)}.`, 'Sync finished with problems');
}

export async function syncPair(pairId: string): Promise<void> {
  const result = await attempt(() => api().invoke('pairs:sync', { id: pairId }), `Couldn't sync ${pairName(pairId)}`);
  if (result) reportResult(pairId, result);
}

export async function cancelPair(pairId: string): Promise<void> {
  await attempt(() => api().invoke('pairs:cancel', { id: pairId }));
}

export async function setPairEnabled(pairId: string, enabled: boolean): Promise<void> {
  const ok = await attempt(async () => {
    await api().invoke('pairs:set-enabled', { id: pairId, enabled });
    return true;
  });
  if (ok) {
    useApp.setState((s) => ({ pairs: s.pairs.map((p) => (p.id === pairId ? { ...p, enabled } : p)) }));
  }
}

/** Opens the pair's folder, or the folder holding `path` inside it (e.g. a conflict copy). */
export async function openFolder(pairId: string, path?: string): Promise<void> {
  await attempt(() => api().invoke('pairs:open-folder', path ? { id: pairId, path } : { id: pairId }));
}

export async function dismissConflicts(pairId: string): Promise<void> {
  await attempt(() => api().invoke('pairs:dismiss-conflicts', { id: pairId }));
}

export async function syncAll(): Promise<void> {
  await attempt(() => api().invoke('sync:all', {}));
}

export async function setAllPaused(paused: boolean): Promise<void> {
  const ok = await attempt(async () => {
    await api().invoke('sync:pause-all', { paused });
    return true;
  });
  if (ok) useApp.setState({ allPaused: paused });
}

function upsertPair(pair: Pair): void {
  useApp.setState((s) => {
    const exists = s.pairs.some((p) => p.id === pair.id);
    return { pairs: exists ? s.pairs.map((p) => (p.id === pair.id ? pair : p)) : [...s.pairs, pair] };
  });
}

/** Creates a pair; throws a UserError with main's sentence so the form can show it inline. */
export async function createPair(input: {
  localPath: string;
  remote: string;
  direction: PairDirection;
  exclude: string[];
  profileId: string;
  pollSeconds?: number;
}): Promise<Pair> {
  const pair = await api().invoke('pairs:create', { ...input, enabled: true });
  upsertPair(pair);
  toast('success', `${baseName(pair.localPath)} is now paired with ${pair.remote}.`);
  return pair;
}

export async function updatePair(
  pairId: string,
  patch: Partial<{ direction: PairDirection; exclude: string[]; profileId: string; pollSeconds: number }>,
): Promise<Pair> {
  const pair = await api().invoke('pairs:update', { id: pairId, patch });
  upsertPair(pair);
  return pair;
}

export async function removePair(pairId: string): Promise<void> {
  await api().invoke('pairs:remove', { id: pairId });
  useApp.setState((s) => {
    const states = { ...s.states };
    delete states[pairId];
    return { pairs: s.pairs.filter((p) => p.id !== pairId), states };
  });
}

/**
 * Opens the diff view and asks main for the plan of a normal sync. allowDeletions: the user is
 * reviewing deletions the guard held back, and may allow them after seeing them.
 */
export async function previewChanges(pairId: string, allowDeletions = false): Promise<void> {
  const id = openDialog({ type: 'diff', pairId, allowDeletions, prepared: null, error: null });
  await loadDiff(id, pairId, allowDeletions);
}

export async function loadDiff(dialogId: number, pairId: string, allowDeletions = false): Promise<void> {
  patchDialog(dialogId, 'diff', { prepared: null, error: null });
  try {
    const request = allowDeletions ? { id: pairId, mode: 'sync' as const, allowDeletions: true } : { id: pairId, mode: 'sync' as const };
    const prepared = await api().invoke('pairs:plan', request);
    patchDialog(dialogId, 'diff', { prepared });
  } catch (err) {
    patchDialog(dialogId, 'diff', { error: errorMessage(err) });
  }
}

export function openForceSync(pairId: string): void {
  openDialog({ type: 'force', pairId, direction: null, prepared: null, loading: false, error: null });
}

/** Asks main for the mirror plan in the chosen direction (the force-sync preview). */
export async function previewForce(dialogId: number, pairId: string, direction: ForceDirection): Promise<void> {
  patchDialog(dialogId, 'force', { direction, prepared: null, loading: true, error: null });
  try {
    const prepared = await api().invoke('pairs:plan', { id: pairId, mode: 'force', direction });
    const d = findDialog(dialogId);
    if (d?.type === 'force' && d.direction === direction) patchDialog(dialogId, 'force', { prepared, loading: false });
  } catch (err) {
    const d = findDialog(dialogId);
    if (d?.type === 'force' && d.direction === direction) {
      patchDialog(dialogId, 'force', { loading: false, error: errorMessage(err) });
    }
  }
}

export function backToForceChoice(dialogId: number): void {
  patchDialog(dialogId, 'force', { direction: null, prepared: null, loading: false, error: null });
}

/** Runs exactly the plan the user saw (by its id), closing the dialog it was shown in. */
export async function runPlan(dialogId: number, prepared: PreparedPlan): Promise<void> {
  closeDialog(dialogId);
  const result = await attempt(
    () => api().invoke('pairs:run-plan', { planId: prepared.planId }),
    `Couldn't sync ${pairName(prepared.pairId)}`,
  );
  if (result) reportResult(prepared.pairId, result);
}

// ---------------------------------------------------------------------------------------------
// Folders and drops

export const DROP_ONE_AT_A_TIME = 'Drop one folder at a time.';
export const DROP_NOT_A_FOLDER = "Drop a single folder to pair it — files can't be paired on their own.";

/** The native folder picker; returns the chosen path or null. */
export async function chooseFolder(): Promise<string | null> {
  const path = await attempt(() => api().invoke('dialog:choose-folder', {}));
  return path ?? null;
}

/** "Choose folder…": pick a folder, then open New pair with it. */
export async function chooseFolderAndPair(): Promise<void> {
  const path = await chooseFolder();
  if (path) openNewPair(path);
}

/** Items dropped on the window: exactly one folder opens New pair; anything else is explained. */
export async function dropItems(files: File[]): Promise<void> {
  setDragging(false);
  if (files.length === 0) return;
  if (files.length > 1) {
    toast('warning', DROP_ONE_AT_A_TIME);
    return;
  }
  let path = '';
  try {
    path = api().pathForFile(files[0]);
  } catch {
    path = '';
  }
  if (!path) {
    toast('warning', "s3lync couldn't tell where the dropped item is. Use Choose folder… instead.");
    return;
  }
  const info = await attempt(() => api().invoke('path:inspect', { path }));
  if (!info) return;
  if (info.kind === 'folder') openNewPair(path);
  else if (info.kind === 'file') toast('warning', DROP_NOT_A_FOLDER);
  else toast('warning', `${baseName(path)} could not be found on disk.`);
}

// ---------------------------------------------------------------------------------------------
// Profiles, settings, activity

export interface ProfileDraft {
  id?: string;
  name: string;
  kind: 'aws-profile' | 'access-key';
  awsProfile: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  endpoint: string | null;
  region: string | null;
  pathStyle: boolean;
}

export async function saveProfile(draft: ProfileDraft): Promise<ProfileSummary> {
  const saved = await api().invoke('profiles:save', draft);
  useApp.setState((s) => {
    const exists = s.profiles.some((p) => p.id === saved.id);
    return { profiles: exists ? s.profiles.map((p) => (p.id === saved.id ? saved : p)) : [...s.profiles, saved] };
  });
  return saved;
}

export async function removeProfile(id: string): Promise<void> {
  await api().invoke('profiles:remove', { id });
  useApp.setState((s) => ({ profiles: s.profiles.filter((p) => p.id !== id) }));
}

export function testProfile(id: string) {
  return api().invoke('profiles:test', { id });
}

export function awsProfileNames() {
  return api().invoke('profiles:aws-names', {});
}

export function browse(profileId: string, bucket: string | null, prefix: string) {
  return api().invoke('browse:list', { profileId, bucket, prefix });
}

export async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
  const settings = await api().invoke('settings:update', patch);
  useApp.setState({ settings });
  return settings;
}

export async function clearActivity(): Promise<void> {
  const ok = await attempt(async () => {
    await api().invoke('activity:clear', {});
    return true;
  });
  if (ok) useApp.setState({ activity: [], activitySeenId: 0 });
}
