// The tray: an icon per overall state, a tooltip that sums the pairs up, and a menu listing the
// pairs with quick actions; rebuilt (throttled) when the services change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { OverallState, Pair, PairState, PairStatus } from '../../src/shared/model';
import {
  buildTrayMenuTemplate,
  folderName,
  MAX_MENU_PAIRS,
  overallStates,
  TrayController,
  tooltipFor,
  trayIconFor,
  type TrayActions,
  type TrayPair,
} from '../../src/main/shell/tray';
import { fake, Menu, Tray } from './fake-electron';

vi.mock('electron', () => import('./fake-electron.js'));

const trayDir = path.join(__dirname, '..', '..', 'assets', 'tray');

function entry(id: string, localPath: string, status: PairStatus, extra: Partial<PairState> = {}, enabled = true): TrayPair {
  const pair: Pair = { id, localPath, remote: `s3://bucket/${id}/`, direction: 'push', exclude: [], profileId: 'p1', enabled, createdAt: 0 };
  const state: PairState = { pairId: id, status, lastSyncAt: null, pending: null, progress: null, error: null, lastSummary: null, held: null, conflicts: [], note: null, ...extra };
  return { pair, state };
}

function actions() {
  return { openWindow: vi.fn<() => void>(), syncAll: vi.fn<() => void>(), setPaused: vi.fn<(paused: boolean) => void>(), quit: vi.fn<() => void>() } satisfies TrayActions;
}

const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();
const labels = (t: MenuItemConstructorOptions[]) => t.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('trayIconFor', () => {
  it('has a distinct icon for each of the five states, 22px on Linux and 16px elsewhere', () => {
    expect(overallStates).toEqual(['in-sync', 'syncing', 'paused', 'error', 'conflict']);
    const linux = overallStates.map((s) => trayIconFor(s, 'linux'));
    const mac = overallStates.map((s) => trayIconFor(s, 'darwin'));
    const win = overallStates.map((s) => trayIconFor(s, 'win32'));
    expect(linux).toEqual(['in-sync-22.png', 'syncing-22.png', 'paused-22.png', 'error-22.png', 'conflict-22.png']);
    expect(mac).toEqual(['in-sync.png', 'syncing.png', 'paused.png', 'error.png', 'conflict.png']);
    expect(win).toEqual(mac);
  });

  it('points at PNG files that exist, with @2x siblings of twice the size', () => {
    const size = (file: string) => {
      const b = fs.readFileSync(file);
      expect(b.subarray(1, 4).toString('ascii')).toBe('PNG');
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    const hashes = new Set<string>();
    for (const state of overallStates) {
      for (const [platform, px] of [['linux', 22], ['darwin', 16]] as const) {
        const file = path.join(trayDir, trayIconFor(state, platform));
        expect(size(file)).toEqual([px, px]);
        expect(size(file.replace(/\.png$/, '@2x.png'))).toEqual([px * 2, px * 2]);
        hashes.add(fs.readFileSync(file).toString('base64'));
      }
    }
    expect(hashes.size).toBe(overallStates.length * 2);
  });

  it('falls back to the error icon for an unknown state', () => {
    expect(trayIconFor('weird' as OverallState, 'darwin')).toBe('error.png');
  });
});

describe('buildTrayMenuTemplate', () => {
  const pairs = [
    entry('a', '/home/me/Photos', 'in-sync'),
    entry('b', 'C:\\Users\\me\\Documents\\', 'syncing', { progress: { filesDone: 1, filesTotal: 4, bytesDone: 50, bytesTotal: 200, rate: 0, etaSeconds: null, current: [] } }),
    entry('c', '/srv/data', 'error', { error: 'Access denied.' }),
    entry('d', '/srv/shared', 'conflict', { pending: { upload: 0, download: 0, delete: 0, conflicts: 2 } }),
    entry('e', '/srv/new', 'idle'),
    entry('f', '/srv/off', 'idle', {}, false),
  ];

  it('lists: open, a disabled header, one item per pair with its state, sync all, pause all, quit', () => {
    const t = buildTrayMenuTemplate(pairs, false, actions());
    expect(labels(t)).toEqual([
      'Open s3lync',
      '---',
      '6 paired folders',
      'Photos — in sync',
      'Documents — syncing 25%',
      'data — error',
      'shared — 2 conflicts',
      'new — not synced yet',
      'off — paused',
      '---',
      'Sync all now',
      'Pause all',
      '---',
      'Quit s3lync',
    ]);
    expect(t.find((i) => i.id === 'pairs-header')!.enabled).toBe(false);
    expect(t.find((i) => i.id === 'pair:a')!.toolTip).toBe('/home/me/Photos ⇄ s3://bucket/a/');
  });

  it('wires each item to its action', () => {
    const a = actions();
    const t = buildTrayMenuTemplate(pairs, false, a);
    const byId = (id: string) => t.find((i) => i.id === id)!;
    click(byId('open'));
    click(byId('pair:c'));
    expect(a.openWindow).toHaveBeenCalledTimes(2);
    click(byId('sync-all'));
    expect(a.syncAll).toHaveBeenCalledTimes(1);
    click(byId('pause-all'));
    expect(a.setPaused).toHaveBeenCalledWith(true);
    click(byId('quit'));
    expect(a.quit).toHaveBeenCalledTimes(1);
  });

  it('offers "Resume all" when everything is paused, and no sync then', () => {
    const a = actions();
    const t = buildTrayMenuTemplate(pairs, true, a);
    const pause = t.find((i) => i.id === 'pause-all')!;
    expect(pause.label).toBe('Resume all');
    click(pause);
    expect(a.setPaused).toHaveBeenCalledWith(false);
    expect(t.find((i) => i.id === 'sync-all')!.enabled).toBe(false);
  });

  it('says so when no folder is paired yet', () => {
    const t = buildTrayMenuTemplate([], false, actions());
    expect(labels(t)).toEqual(['Open s3lync', '---', 'No folders paired yet', '---', 'Sync all now', 'Pause all', '---', 'Quit s3lync']);
    expect(t.find((i) => i.id === 'sync-all')!.enabled).toBe(false);
  });

  it('caps a long list with "… and N more"', () => {
    const many = Array.from({ length: MAX_MENU_PAIRS + 3 }, (_, i) => entry(`p${i}`, `/f/${i}`, 'in-sync'));
    const t = buildTrayMenuTemplate(many, false, actions());
    expect(t.filter((i) => i.id?.startsWith('pair:'))).toHaveLength(MAX_MENU_PAIRS);
    expect(t.find((i) => i.id === 'pairs-more')!.label).toBe('… and 3 more');
  });

  it('shows planning and pending states plainly', () => {
    const t = buildTrayMenuTemplate([entry('a', '/x/a', 'planning'), entry('b', '/x/b', 'pending'), entry('c', '/x/c', 'syncing')], false, actions());
    expect(labels(t).slice(3, 6)).toEqual(['a — checking…', 'b — changes pending', 'c — syncing…']);
    const held = buildTrayMenuTemplate([entry('h', '/x/h', 'pending', { held: '12 files would be deleted.' })], false, actions());
    expect(labels(held)[3]).toBe('h — deletions held for review');
    const copies = buildTrayMenuTemplate([entry('k', '/x/k', 'conflict', { conflicts: ['a (conflict).txt'] })], false, actions());
    expect(labels(copies)[3]).toBe('k — 1 conflict');
  });
});

describe('folderName', () => {
  it('takes the last path component of POSIX and Windows paths', () => {
    expect(folderName('/home/me/Photos')).toBe('Photos');
    expect(folderName('/home/me/Photos/')).toBe('Photos');
    expect(folderName('D:\\Work\\Reports')).toBe('Reports');
    expect(folderName('/')).toBe('/');
  });
});

describe('tooltipFor', () => {
  it('sums the pairs up, leading with what the icon shows', () => {
    const ok = [entry('a', '/a', 'in-sync'), entry('b', '/b', 'in-sync'), entry('c', '/c', 'in-sync')];
    expect(tooltipFor('in-sync', ok, false)).toBe('s3lync — 3 pairs in sync');
    expect(tooltipFor('in-sync', ok.slice(0, 1), false)).toBe('s3lync — 1 pair in sync');
    expect(tooltipFor('syncing', [entry('a', '/a', 'syncing'), entry('b', '/b', 'planning')], false)).toBe('s3lync — syncing 2 pairs');
    expect(tooltipFor('error', [entry('a', '/a', 'error'), entry('b', '/b', 'syncing'), entry('c', '/c', 'in-sync')], false)).toBe(
      's3lync — 1 error, syncing 1 pair, 1 pair in sync',
    );
    expect(tooltipFor('error', [entry('a', '/a', 'error'), entry('b', '/b', 'error')], false)).toBe('s3lync — 2 errors');
    expect(tooltipFor('conflict', [entry('a', '/a', 'conflict'), entry('b', '/b', 'pending')], false)).toBe('s3lync — 1 conflict, 1 with changes pending');
    expect(tooltipFor('in-sync', [entry('a', '/a', 'idle'), entry('b', '/b', 'idle', {}, false)], false)).toBe('s3lync — 1 not synced yet, 1 paused');
  });

  it('covers no pairs and everything paused', () => {
    expect(tooltipFor('in-sync', [], false)).toBe('s3lync — no folders paired yet');
    expect(tooltipFor('paused', [entry('a', '/a', 'paused'), entry('b', '/b', 'paused')], true)).toBe('s3lync — paused (2 pairs)');
  });
});

describe('TrayController', () => {
  beforeEach(() => {
    fake.reset();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  function services(initial: OverallState = 'in-sync') {
    const listeners = new Set<() => void>();
    const s = {
      state: initial,
      pairs: [entry('a', '/home/me/Photos', 'in-sync')],
      paused: false,
      overall: vi.fn(() => s.state),
      trayPairs: vi.fn(() => s.pairs),
      allPaused: vi.fn(() => s.paused),
      onChange: vi.fn((l: () => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      }),
      change: () => listeners.forEach((l) => l()),
      listenerCount: () => listeners.size,
    };
    return s;
  }

  it('shows the state icon, tooltip and menu at once', () => {
    const s = services('in-sync');
    const c = new TrayController({ services: s, actions: actions(), trayDir: '/icons', platform: 'linux' });
    const tray = Tray.instances[0];
    expect(c.tray).toBe(tray);
    expect(tray.image).toEqual({ path: path.join('/icons', 'in-sync-22.png') });
    expect(tray.toolTip).toBe('s3lync — 1 pair in sync');
    expect(labels(tray.menu!.template as MenuItemConstructorOptions[])).toContain('Photos — in sync');
  });

  it('rebuilds on change, throttled, and swaps the icon when the state changes', () => {
    const s = services('in-sync');
    new TrayController({ services: s, actions: actions(), trayDir: '/icons', platform: 'darwin', throttleMs: 300 });
    const tray = Tray.instances[0];
    const builds = Menu.buildFromTemplate.mock.calls.length;
    s.state = 'syncing';
    s.pairs = [entry('a', '/home/me/Photos', 'syncing')];
    for (let i = 0; i < 20; i++) s.change();
    vi.advanceTimersByTime(0);
    // The first change after a quiet period runs at the end of the throttle window at most once.
    vi.advanceTimersByTime(300);
    expect(Menu.buildFromTemplate.mock.calls.length).toBe(builds + 1);
    expect(tray.setImage).toHaveBeenLastCalledWith({ path: path.join('/icons', 'syncing.png') });
    expect(tray.toolTip).toBe('s3lync — syncing 1 pair');
    s.state = 'error';
    s.change();
    s.change();
    vi.advanceTimersByTime(300);
    expect(Menu.buildFromTemplate.mock.calls.length).toBe(builds + 2);
    expect(tray.setImage).toHaveBeenLastCalledWith({ path: path.join('/icons', 'error.png') });
    // Same state again: the icon is not reloaded.
    s.change();
    vi.advanceTimersByTime(300);
    expect(tray.setImage).toHaveBeenCalledTimes(2);
  });

  it('opens the window on click on Windows', () => {
    const a = actions();
    new TrayController({ services: services(), actions: a, trayDir: '/icons', platform: 'win32' });
    Tray.instances[0].emit('click');
    expect(a.openWindow).toHaveBeenCalled();
  });

  it('stops listening and removes the icon when destroyed', () => {
    const s = services();
    const c = new TrayController({ services: s, actions: actions(), trayDir: '/icons', platform: 'linux' });
    expect(s.listenerCount()).toBe(1);
    s.change();
    c.destroy();
    expect(s.listenerCount()).toBe(0);
    expect(Tray.instances[0].isDestroyed()).toBe(true);
    const builds = Menu.buildFromTemplate.mock.calls.length;
    vi.advanceTimersByTime(1000);
    expect(Menu.buildFromTemplate.mock.calls.length).toBe(builds);
  });
});
