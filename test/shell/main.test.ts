// startShell: one instance, services wired to Electron (dialogs, notifications, safeStorage,
// events to the window), IPC, window, tray and menu; the window hides to the tray; quitting
// stops the services first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { invokeChannels, parseRequest, wireInvoke } from '../../src/shared/ipc';
import type { AppServicesOptions } from '../../src/main/services/app-services';
import { appMenuTemplate, startShell, type ShellHandle } from '../../src/main/shell/main';
import { app, BrowserWindow, dialog, fake, FakeEvent, ipcMain, Menu, Notification, safeStorage, session, shell, Tray } from './fake-electron';

vi.mock('electron', () => import('./fake-electron.js'));

const h = vi.hoisted(() => {
  const state = {
    opts: null as null | AppServicesOptions,
    listeners: new Set<() => void>(),
    createError: null as null | Error,
  };
  const services = {
    handlers: {},
    overall: vi.fn(() => 'in-sync'),
    trayPairs: vi.fn(() => []),
    allPaused: vi.fn(() => false),
    syncAll: vi.fn(async () => undefined),
    pauseAll: vi.fn(async (_p: boolean) => undefined),
    onChange: vi.fn((l: () => void) => {
      state.listeners.add(l);
      return () => state.listeners.delete(l);
    }),
    shutdown: vi.fn(async () => undefined),
  };
  return { state, services };
});

vi.mock('../../src/main/services/app-services', () => ({
  AppServices: {
    create: vi.fn(async (opts: AppServicesOptions) => {
      if (h.state.createError) throw h.state.createError;
      h.state.opts = opts;
      return h.services;
    }),
  },
  // A stand-in router that validates like the real one (the real one is tested in ipc.test.ts).
  createRouter: () => async (channel: string, payload: unknown) => {
    const parsed = parseRequest(channel, payload);
    return parsed.ok ? { ok: true, value: `${channel} ok` } : { ok: false, error: 'InvalidRequest', message: parsed.message };
  },
}));

const mainDir = path.join(os.tmpdir(), 's3lync-shell-app', 'out', 'main');
let handle: ShellHandle;

async function start(): Promise<ShellHandle> {
  handle = startShell({ mainDir });
  await handle.ready;
  return handle;
}

function theWindow(): BrowserWindow {
  expect(BrowserWindow.instances).toHaveLength(1);
  return BrowserWindow.instances[0];
}

beforeEach(() => {
  fake.reset();
  h.state.opts = null;
  h.state.listeners.clear();
  h.state.createError = null;
  delete process.env.ELECTRON_RENDERER_URL;
});

afterEach(() => {
  handle?.tray()?.destroy();
});

describe('single instance', () => {
  it('quits at once when another instance holds the lock, creating nothing', async () => {
    app.lock = false;
    const { AppServices } = await import('../../src/main/services/app-services.js');
    await start();
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(app.quitCount).toBe(1);
    expect(app.whenReady).not.toHaveBeenCalled();
    expect(AppServices.create).not.toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('shows, restores and focuses the existing window on a second launch', async () => {
    await start();
    const win = theWindow();
    win.becomeReady();
    win.close();
    expect(win.isVisible()).toBe(false);
    win.minimize();
    app.emit('second-instance', new FakeEvent(), ['s3lync'], '/');
    expect(win.restore).toHaveBeenCalled();
    expect(win.isVisible()).toBe(true);
    expect(win.focus).toHaveBeenCalled();
  });

  it('shows the window on macOS activate (dock click)', async () => {
    await start();
    const win = theWindow();
    win.close();
    app.emit('activate');
    expect(win.isVisible()).toBe(true);
  });
});

describe('startup', () => {
  it('creates the services in userData with Electron-backed hooks, registers IPC, then the window, tray and menu', async () => {
    await start();
    expect(app.enableSandbox).toHaveBeenCalled();
    expect(h.state.opts!.dataDir).toBe(app.userData);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(invokeChannels.map(wireInvoke).sort());
    const win = theWindow();
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: path.join(mainDir, '..', 'preload', 'index.js') });
    expect(win.loadFile).toHaveBeenCalledWith(path.join(mainDir, '..', 'renderer', 'index.html'));
    expect(win.options.icon).toBe(path.resolve(mainDir, '..', '..', 'assets', 'icon.png'));
    expect(Tray.instances).toHaveLength(1);
    expect(Menu.setApplicationMenu).toHaveBeenCalledTimes(1);
    expect(session.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(session.defaultSession.headersListener).not.toBeNull();
  });

  it('S3LYNC_USER_DATA (absolute) selects another profile before the single-instance lock', async () => {
    process.env.S3LYNC_USER_DATA = path.join(os.tmpdir(), 's3lync-profile-b');
    try {
      await start();
      expect(app.setPath).toHaveBeenCalledWith('userData', path.join(os.tmpdir(), 's3lync-profile-b'));
      expect(app.setPath.mock.invocationCallOrder[0]).toBeLessThan(app.requestSingleInstanceLock.mock.invocationCallOrder[0]);
      expect(h.state.opts!.dataDir).toBe(path.join(os.tmpdir(), 's3lync-profile-b'));
    } finally {
      delete process.env.S3LYNC_USER_DATA;
    }
  });

  it('loads the dev server in dev, and only when not packaged', async () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    await start();
    expect(theWindow().loadURL).toHaveBeenCalledWith('http://localhost:5173');
    expect(theWindow().options.webPreferences).toMatchObject({ devTools: true });
  });

  it('packaged: loads the built page, finds icons in the resources folder, no devtools', async () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    app.isPackaged = true;
    const resources = process.resourcesPath;
    Object.defineProperty(process, 'resourcesPath', { value: '/opt/s3lync/resources', configurable: true });
    try {
      await start();
      const win = theWindow();
      expect(win.loadFile).toHaveBeenCalled();
      expect(win.loadURL).not.toHaveBeenCalled();
      expect(win.options.icon).toBe(path.join('/opt/s3lync/resources', 'assets', 'icon.png'));
      expect(win.options.webPreferences).toMatchObject({ devTools: false });
      expect((Tray.instances[0].image as { path: string }).path.startsWith(path.join('/opt/s3lync/resources', 'assets', 'tray'))).toBe(true);
    } finally {
      Object.defineProperty(process, 'resourcesPath', { value: resources, configurable: true });
    }
  });

  it('shows an error and exits when the services cannot start', async () => {
    h.state.createError = new Error('settings.json is not valid JSON.');
    await start();
    expect(dialog.showErrorBox).toHaveBeenCalledWith('s3lync could not start', 'settings.json is not valid JSON.');
    expect(app.exited).toBe(1);
  });
});

describe('IPC end to end through the registered handlers', () => {
  it('answers the window, refuses anyone else, validates payloads', async () => {
    await start();
    const win = theWindow();
    const handler = ipcMain.handlers.get(wireInvoke('pairs:remove'))!;
    const fromWindow = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    await expect(handler(fromWindow, { id: 'p1' })).resolves.toEqual({ ok: true, value: 'pairs:remove ok' });
    await expect(handler(fromWindow, { id: 7 })).resolves.toMatchObject({ ok: false, error: 'InvalidRequest', message: expect.stringMatching(/^Invalid request for pairs:remove: id: /) });
    const other = new BrowserWindow({});
    await other.loadFile(path.join(mainDir, '..', 'renderer', 'index.html'));
    await expect(handler({ sender: other.webContents, senderFrame: other.webContents.mainFrame }, { id: 'p1' })).resolves.toMatchObject({ ok: false, error: 'Forbidden' });
    const sub = { url: win.webContents.mainFrame.url, parent: win.webContents.mainFrame };
    await expect(handler({ sender: win.webContents, senderFrame: sub }, { id: 'p1' })).resolves.toMatchObject({ ok: false, error: 'Forbidden' });
  });
});

describe('hooks and sink', () => {
  it('sends service events to the window on the wire channel, and drops them once it is gone', async () => {
    await start();
    const win = theWindow();
    h.state.opts!.sink.emit('app:paused', true);
    expect(win.webContents.sent).toEqual([['s3lync:event:app:paused', true]]);
    handle.quit();
    await vi.waitFor(() => expect(app.quitCount).toBe(1));
    win.close();
    h.state.opts!.sink.emit('app:paused', false);
    expect(win.webContents.sent).toHaveLength(1);
  });

  it('chooseFolder opens a directory dialog on the window', async () => {
    await start();
    const { hooks } = h.state.opts!;
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/Photos'] });
    await expect(hooks.chooseFolder()).resolves.toBe('/home/me/Photos');
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(theWindow(), expect.objectContaining({ properties: ['openDirectory', 'createDirectory'] }));
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    await expect(hooks.chooseFolder()).resolves.toBeNull();
  });

  it('openPath opens existing folders only', async () => {
    await start();
    const { hooks } = h.state.opts!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-open-'));
    const file = path.join(dir, 'f.txt');
    fs.writeFileSync(file, 'x');
    try {
      await hooks.openPath(dir);
      expect(shell.openPath).toHaveBeenCalledWith(dir);
      await expect(hooks.openPath(file)).rejects.toThrow(/is not an existing folder/);
      await expect(hooks.openPath(path.join(dir, 'missing'))).rejects.toThrow(/is not an existing folder/);
      await expect(hooks.openPath('relative/dir')).rejects.toThrow(/is not an existing folder/);
      expect(shell.openPath).toHaveBeenCalledTimes(1);
      shell.openPath.mockResolvedValueOnce('No application is associated');
      await expect(hooks.openPath(dir)).rejects.toThrow('No application is associated');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('notify shows a notification when supported; clicking it opens the window', async () => {
    await start();
    const { hooks } = h.state.opts!;
    const win = theWindow();
    hooks.notify('Sync failed', 'Photos: access denied.');
    expect(Notification.instances).toHaveLength(1);
    expect(Notification.instances[0].options).toEqual({ title: 'Sync failed', body: 'Photos: access denied.' });
    expect(Notification.instances[0].show).toHaveBeenCalled();
    Notification.instances[0].emit('click');
    expect(win.isVisible()).toBe(true);
    Notification.supported = false;
    hooks.notify('x', 'y');
    expect(Notification.instances).toHaveLength(1);
  });

  it('setLaunchAtLogin: login items on macOS/Windows, an XDG autostart entry on Linux', async () => {
    await start();
    const { hooks } = h.state.opts!;
    if (process.platform !== 'linux') {
      hooks.setLaunchAtLogin(true);
      expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3lync-xdg-'));
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = dir;
    try {
      hooks.setLaunchAtLogin(true);
      const text = fs.readFileSync(path.join(dir, 'autostart', 's3lync.desktop'), 'utf8');
      // Not packaged: electron binary + app path; packaged it is the AppImage or the binary.
      expect(text).toContain(`Exec=${process.execPath} /app --hidden`);
      hooks.setLaunchAtLogin(false);
      expect(fs.existsSync(path.join(dir, 'autostart', 's3lync.desktop'))).toBe(false);
      expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('secrets go through safeStorage as base64', async () => {
    await start();
    const { secrets } = h.state.opts!;
    expect(secrets.available()).toBe(true);
    const cipher = secrets.encrypt('wJalrXUtnFEMI');
    expect(cipher).toBe(Buffer.from('enc:wJalrXUtnFEMI').toString('base64'));
    expect(secrets.decrypt(cipher)).toBe('wJalrXUtnFEMI');
    safeStorage.isEncryptionAvailable.mockReturnValueOnce(false);
    expect(secrets.available()).toBe(false);
  });
});

describe('tray actions', () => {
  it('sync all, pause/resume and open call the services and the window', async () => {
    await start();
    const template = Tray.instances[0].menu!.template as MenuItemConstructorOptions[];
    const item = (id: string) => template.find((i) => i.id === id)!.click as () => void;
    item('sync-all')();
    expect(h.services.syncAll).toHaveBeenCalled();
    item('pause-all')();
    expect(h.services.pauseAll).toHaveBeenCalledWith(true);
    const win = theWindow();
    win.close();
    item('open')();
    expect(win.isVisible()).toBe(true);
  });
});

describe('closing and quitting', () => {
  it('closing the window hides it; with no window the app keeps running in the tray', async () => {
    await start();
    const win = theWindow();
    win.becomeReady();
    win.close();
    expect(win.hide).toHaveBeenCalled();
    expect(win.isDestroyed()).toBe(false);
    app.emit('window-all-closed');
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('Quit (tray) stops the services first, then quits; the window really closes then', async () => {
    await start();
    let release!: () => void;
    h.services.shutdown.mockImplementationOnce(() => new Promise<undefined>((r) => (release = () => r(undefined))));
    const quitItem = (Tray.instances[0].menu!.template as MenuItemConstructorOptions[]).find((i) => i.id === 'quit')!;
    (quitItem.click as () => void)();
    expect(handle.isQuitting()).toBe(true);
    expect(h.services.shutdown).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(app.quit).not.toHaveBeenCalled();
    release();
    await vi.waitFor(() => expect(app.quitCount).toBe(1));
    expect(Tray.instances[0].isDestroyed()).toBe(true);
    const win = theWindow();
    win.close();
    expect(win.isDestroyed()).toBe(true);
  });

  it('an OS or menu quit (before-quit) is held until the services stopped', async () => {
    await start();
    app.quit();
    expect(app.quitCount).toBe(0); // prevented, shutting down
    await vi.waitFor(() => expect(app.quitCount).toBe(1));
    expect(h.services.shutdown).toHaveBeenCalledTimes(1);
  });

  it('a shutdown that fails still quits', async () => {
    await start();
    h.services.shutdown.mockRejectedValueOnce(new Error('disk full'));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await handle.quit();
    expect(app.quitCount).toBe(1);
    expect(err).toHaveBeenCalledWith('s3lync: shutdown: disk full');
    err.mockRestore();
  });

  it('the app menu has Quit (which stops services) and Edit roles; View only in dev', () => {
    const quit = vi.fn();
    const prod = appMenuTemplate({ isMac: false, isDev: false, openWindow: vi.fn(), quit });
    const labelsOf = (t: MenuItemConstructorOptions[]) => t.map((m) => m.label);
    expect(labelsOf(prod)).toEqual(['File', 'Edit']);
    const roles = ((prod[1].submenu as MenuItemConstructorOptions[]) ?? []).map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']));
    const quitItem = (prod[0].submenu as MenuItemConstructorOptions[]).find((i) => i.id === 'quit')!;
    expect(quitItem.accelerator).toBe('CmdOrCtrl+Q');
    (quitItem.click as () => void)();
    expect(quit).toHaveBeenCalled();
    expect(labelsOf(appMenuTemplate({ isMac: false, isDev: true, openWindow: vi.fn(), quit }))).toEqual(['File', 'Edit', 'View']);
    const mac = appMenuTemplate({ isMac: true, isDev: false, openWindow: vi.fn(), quit });
    expect(labelsOf(mac)).toEqual(['s3lync', 'Edit', 'Window']);
  });
});
