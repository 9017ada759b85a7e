// What the tray shows, as pure functions (no Electron at run time): the icon file per overall
// state, the tooltip, and the context menu template.
import type { MenuItemConstructorOptions } from 'electron';
import type { OverallState, Pair, PairState } from '../../shared/model';

export interface TrayPair {
  pair: Pair;
  state: PairState;
}

export interface TrayActions {
  openWindow(): void;
  syncAll(): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export interface TrayServices {
  overall(): OverallState;
  trayPairs(): TrayPair[];
  allPaused(): boolean;
  onChange(listener: () => void): () => void;
}

export const overallStates: readonly OverallState[] = ['in-sync', 'syncing', 'paused', 'error', 'conflict'];

/** How many pairs the menu lists before "… and N more". */
export const MAX_MENU_PAIRS = 12;

/**
 * The icon file (in assets/tray) for a state. Linux panels use 22px icons; macOS and Windows
 * 16px. Each has an @2x sibling that Electron picks on high-DPI screens.
 */
export function trayIconFor(state: OverallState, platform: NodeJS.Platform = process.platform): string {
  const known = overallStates.includes(state) ? state : 'error';
  return platform === 'linux' ? `${known}-22.png` : `${known}.png`;
}

/** The last component of a local path, for Windows or POSIX paths. */
export function folderName(localPath: string): string {
  const trimmed = localPath.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || localPath || '(folder)';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function percent(state: PairState): number | null {
  const p = state.progress;
  if (!p) return null;
  if (p.bytesTotal > 0) return Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100));
  if (p.filesTotal > 0) return Math.min(100, Math.floor((p.filesDone / p.filesTotal) * 100));
  return null;
}

/** A short phrase for a pair's state, as the menu shows it. */
export function pairStateLabel(pair: Pair, state: PairState): string {
  switch (state.status) {
    case 'in-sync':
      return 'in sync';
    case 'syncing': {
      const pct = percent(state);
      return pct === null ? 'syncing…' : `syncing ${pct}%`;
    }
    case 'planning':
      return 'checking…';
    case 'pending':
      return state.held ? 'deletions held for review' : 'changes pending';
    case 'paused':
      return 'paused';
    case 'error':
      return 'error';
    case 'conflict': {
      const n = state.pending?.conflicts || state.conflicts?.length || 0;
      return n > 0 ? plural(n, 'conflict', 'conflicts') : 'conflict';
    }
    case 'idle':
    default:
      return pair.enabled ? 'not synced yet' : 'paused';
  }
}

export function buildTrayMenuTemplate(
  pairs: readonly TrayPair[],
  allPaused: boolean,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [
    { id: 'open', label: 'Open s3lync', click: () => actions.openWindow() },
    { type: 'separator' },
  ];
  if (pairs.length === 0) {
    items.push({ id: 'pairs-header', label: 'No folders paired yet', enabled: false });
  } else {
    items.push({ id: 'pairs-header', label: plural(pairs.length, 'paired folder', 'paired folders'), enabled: false });
    for (const { pair, state } of pairs.slice(0, MAX_MENU_PAIRS)) {
      items.push({
        id: `pair:${pair.id}`,
        label: `${folderName(pair.localPath)} — ${pairStateLabel(pair, state)}`,
        toolTip: `${pair.localPath} ⇄ ${pair.remote}`,
        click: () => actions.openWindow(),
      });
    }
    if (pairs.length > MAX_MENU_PAIRS) {
      items.push({ id: 'pairs-more', label: `… and ${pairs.length - MAX_MENU_PAIRS} more`, click: () => actions.openWindow() });
    }
  }
  items.push(
    { type: 'separator' },
    { id: 'sync-all', label: 'Sync all now', enabled: pairs.length > 0 && !allPaused, click: () => actions.syncAll() },
    allPaused
      ? { id: 'pause-all', label: 'Resume all', click: () => actions.setPaused(false) }
      : { id: 'pause-all', label: 'Pause all', enabled: pairs.length > 0, click: () => actions.setPaused(true) },
    { type: 'separator' },
    { id: 'quit', label: 'Quit s3lync', click: () => actions.quit() },
  );
  return items;
}

/** One line summing the pairs up: "s3lync — 3 pairs in sync", "s3lync — syncing 2 pairs, 1 error". */
export function tooltipFor(overall: OverallState, pairs: readonly TrayPair[], allPaused: boolean): string {
  const head = 's3lync — ';
  if (pairs.length === 0) return `${head}no folders paired yet`;
  if (allPaused) return `${head}paused (${plural(pairs.length, 'pair', 'pairs')})`;
  const count = (pred: (p: TrayPair) => boolean) => pairs.filter(pred).length;
  const isPaused = (p: TrayPair) => p.state.status === 'paused' || (!p.pair.enabled && p.state.status === 'idle');
  const errors = count((p) => p.state.status === 'error');
  const conflicts = count((p) => p.state.status === 'conflict');
  const syncing = count((p) => p.state.status === 'syncing' || p.state.status === 'planning');
  const paused = count(isPaused);
  const inSync = count((p) => p.state.status === 'in-sync');
  const pending = count((p) => p.state.status === 'pending');
  const idle = count((p) => p.state.status === 'idle' && !isPaused(p));
  const parts: string[] = [];
  if (errors) parts.push(plural(errors, 'error', 'errors'));
  if (conflicts) parts.push(plural(conflicts, 'conflict', 'conflicts'));
  if (syncing) parts.push(`syncing ${plural(syncing, 'pair', 'pairs')}`);
  if (inSync) parts.push(`${plural(inSync, 'pair', 'pairs')} in sync`);
  if (pending) parts.push(`${pending} with changes pending`);
  if (idle) parts.push(`${idle} not synced yet`);
  if (paused) parts.push(`${paused} paused`);
  // The overall state leads (it is what the icon shows); the counts above are already in that order.
  if (parts.length === 0) parts.push(overall);
  return head + parts.join(', ');
}

/** Calls `fn` at most once per `ms`, always running the last request (trailing edge). */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const throttled = () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(run, wait);
  };
  throttled.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return throttled;
}
