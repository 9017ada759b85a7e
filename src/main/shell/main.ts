// The Electron shell: one instance, one window, a tray, and the services behind IPC. Everything
// the app does lives in the services (src/main/services); this file only wires Electron to them.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  session,
  shell,
  type MenuItemConstructorOptions,
  type OpenDialogOptions,
} from 'electron';
import { wireEvent } from '../../shared/ipc';
import { AppServices, createRouter } from '../services/app-services';
import type { EventSink, ShellHooks } from '../services/types';
import { registerIpc } from './ipc';
import { shellPaths } from './paths';
import { HIDDEN_ARG, safeStorageSecretBox, setLinuxAutostart } from './platform';
import { TrayController } from './tray';
import { isTrustedSender, senderFacts } from './trust';
import { createMainWindow, installSessionGuards, showWindow } from './window';

export const APP_ID = 'dev.s3lync.desktop';
/** How long quitting waits for the services to stop running syncs and flush their logs. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface ShellOptions {
  /** The folder of the built main bundle (out/main); defaults to this module's folder. */
  mainDir?: string;
}

export interface ShellHandle {
  /** Settles when startup finished (or failed and the app is exiting). */
  ready: Promise<void>;
  window(): BrowserWindow | null;
  services(): AppServices | null;
  tray(): TrayController | null;
  isQuitting(): boolean;
  /** Stops the services, then quits the app. */
  quit(): Promise<void>;
}

export interface AppMenuOptions {
  isMac: boolean;
  isDev: boolean;
  openWindow(): void;
  quit(): void;
}

export function appMenuTemplate(o: AppMenuOptions): MenuItemConstructorOptions[] {
  const quitItem: MenuItemConstructorOptions = { id: 'quit', label: 'Quit s3lync', accelerator: 'CmdOrCtrl+Q', click: () => o.quit() };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions[] = o.isDev
    ? [{ label: 'View', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] }]
    : [];
  if (o.isMac) {
    return [
      {
        label: 's3lync',
        submenu: [
          { role: 'about' },
          { type: 'separator' },
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          quitItem,
        ],
      },
      edit,
      ...view,
      {
        label: 'Window',
        submenu: [{ label: 'Open s3lync', click: () => o.openWindow() }, { role: 'minimize' }, { role: 'close' }],
      },
    ];
  }
  return [
    { label: 'File', submenu: [{ role: 'close', label: 'Close Window' }, { type: 'separator' }, quitItem] },
    edit,
    ...view,
  ];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function startShell(options: ShellOptions = {}): ShellHandle {
  let win: BrowserWindow | null = null;
  let services: AppServices | null = null;
  let tray: TrayController | null = null;
  let quitting = false;
  let shutdownDone = false;
  let quitPromise: Promise<void> | null = null;

  const liveWindow = () => (win && !win.isDestroyed() ? win : null);

  const quit = (): Promise<void> => {
    quitting = true;
    quitPromise ??= (async () => {
      try {
        if (services) await withTimeout(services.shutdown(), SHUTDOWN_TIMEOUT_MS);
      } catch (err) {
        console.error(`s3lync: shutdown: ${message(err)}`);
      }
      shutdownDone = true;
      tray?.destroy();
      tray = null;
      app.quit();
    })();
    return quitPromise;
  };

  const handle: ShellHandle = {
    ready: Promise.resolve(),
    window: liveWindow,
    services: () => services,
    tray: () => tray,
    isQuitting: () => quitting,
    quit,
  };

  // A separate profile (tests, or a second account on one login): its own data and its own
  // single-instance lock, which Electron keeps in the userData folder.
  const userData = process.env.S3LYNC_USER_DATA;
  if (userData && path.isAbsolute(userData)) app.setPath('userData', userData);

  if (!app.requestSingleInstanceLock()) {
    // Another s3lync runs: it gets our 'second-instance' and shows its window.
    quitting = true;
    shutdownDone = true;
    app.quit();
    return handle;
  }

  app.enableSandbox();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  const mainDir = options.mainDir ?? __dirname;
  const isDev = !app.isPackaged;
  const devServerUrl = isDev && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
  const openWindow = () => showWindow(liveWindow());

  app.on('second-instance', () => openWindow());
  app.on('activate', () => openWindow());
  // The tray keeps the app running with no window.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    if (shutdownDone) return;
    event.preventDefault();
    void quit();
  });
  app.on('web-contents-created', (_event, contents) => {
    // Defaults for every webContents; the main window sets its own, stricter handlers.
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  const startedHidden = (): boolean => {
    if (process.argv.includes(HIDDEN_ARG)) return true;
    if (process.platform === 'darwin') {
      try {
        return app.getLoginItemSettings().wasOpenedAtLogin === true;
      } catch {
        return false;
      }
    }
    return false;
  };

  const hooks: ShellHooks = {
    async chooseFolder() {
      const opts: OpenDialogOptions = { title: 'Choose a folder to sync', properties: ['openDirectory', 'createDirectory'] };
      const w = liveWindow();
      const result = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts);
      return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
    },
    async openPath(p) {
      const st = path.isAbsolute(p) ? await fs.stat(p).catch(() => null) : null;
      if (!st || !st.isDirectory()) throw new Error(`${p} is not an existing folder.`);
      const failure = await shell.openPath(p);
      if (failure) throw new Error(`Could not open ${p}: ${failure}`);
    },
    setLaunchAtLogin(enabled) {
      if (process.platform === 'linux') {
        const exe = process.env.APPIMAGE || process.execPath;
        const command = app.isPackaged ? [exe, HIDDEN_ARG] : [process.execPath, app.getAppPath(), HIDDEN_ARG];
        setLinuxAutostart(enabled, command);
      } else {
        app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
      }
    },
    notify(title, body) {
      if (!Notification.isSupported()) return;
      const n = new Notification({ title, body });
      n.on('click', openWindow);
      n.show();
    },
  };

  const sink: EventSink = {
    emit(event, payload) {
      const w = liveWindow();
      if (!w || w.webContents.isDestroyed()) return;
      w.webContents.send(wireEvent(event), payload);
    },
  };

  const onReady = async (): Promise<void> => {
    const paths = shellPaths({ mainDir, isPackaged: app.isPackaged, resourcesPath: process.resourcesPath });
    const appUrl = devServerUrl ?? pathToFileURL(paths.rendererHtml).href;
    installSessionGuards(session.defaultSession, { appUrl, devServerUrl });

    services = await AppServices.create({
      dataDir: app.getPath('userData'),
      secrets: safeStorageSecretBox(safeStorage),
      hooks,
      sink,
    });
    if (quitting) {
      // Quit was asked for while the services started: stop them too.
      await withTimeout(services.shutdown(), SHUTDOWN_TIMEOUT_MS).catch(() => undefined);
      return;
    }

    registerIpc(ipcMain, createRouter(services.handlers), (event) => {
      const w = liveWindow();
      return isTrustedSender(senderFacts(event), { webContentsId: w ? w.webContents.id : null, appUrl });
    });

    Menu.setApplicationMenu(
      Menu.buildFromTemplate(appMenuTemplate({ isMac: process.platform === 'darwin', isDev, openWindow, quit: () => void quit() })),
    );

    win = createMainWindow({
      preload: paths.preload,
      icon: paths.appIcon,
      appUrl,
      load: (w) => (devServerUrl ? w.loadURL(devServerUrl) : w.loadFile(paths.rendererHtml)),
      isQuitting: () => quitting,
      openExternal: (url) => void shell.openExternal(url).catch(() => undefined),
      showOnReady: !startedHidden(),
      devTools: isDev,
    });
    win.on('closed', () => {
      win = null;
    });

    const svc = services;
    tray = new TrayController({
      services: svc,
      trayDir: paths.trayDir,
      actions: {
        openWindow,
        syncAll: () => void svc.syncAll().catch((err: unknown) => console.error(`s3lync: sync all: ${message(err)}`)),
        setPaused: (paused) => void svc.pauseAll(paused).catch((err: unknown) => console.error(`s3lync: pause: ${message(err)}`)),
        quit: () => void quit(),
      },
    });
  };

  handle.ready = app
    .whenReady()
    .then(onReady)
    .catch((err: unknown) => {
      console.error(`s3lync could not start: ${message(err)}`);
      try {
        dialog.showErrorBox('s3lync could not start', message(err));
      } finally {
        shutdownDone = true;
        app.exit(1);
      }
    });
  return handle;
}
