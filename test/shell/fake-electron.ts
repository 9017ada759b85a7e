// A hand-made stand-in for the parts of Electron the shell and the preload use. Tests mock
// 'electron' with this module (vi.mock('electron', () => import('./fake-electron'))) and reset
// it before each test with fake.reset().
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  mainFrame: FakeFrame = { url: '', parent: null };
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: Array<[string, unknown]> = [];
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  /** Emits a cancellable webContents event and says whether it was prevented. */
  fire(name: string, ...args: unknown[]): boolean {
    // Navigation events carry the URL on the event (and, deprecated, as the next argument).
    const e = Object.assign(new FakeEvent(), typeof args[0] === 'string' ? { url: args[0] } : {});
    this.emit(name, e, ...args);
    return e.defaultPrevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  destroyed = false;
  focused = false;
  loaded: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  show = vi.fn(() => {
    this.visible = true;
  });
  hide = vi.fn(() => {
    this.visible = false;
  });
  focus = vi.fn(() => {
    this.focused = true;
  });
  restore = vi.fn(() => {
    this.minimized = false;
  });
  minimize(): void {
    this.minimized = true;
    this.visible = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  loadFile = vi.fn(async (file: string) => {
    this.loaded = pathToFileURL(file).href;
    this.webContents.mainFrame.url = this.loaded;
  });
  loadURL = vi.fn(async (url: string) => {
    this.loaded = url;
    this.webContents.mainFrame.url = url;
  });
  /** What clicking the window's close button does. */
  close(): void {
    const e = new FakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  /** Electron emits this once the page painted. */
  becomeReady(): void {
    this.emit('ready-to-show');
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  image: unknown;
  toolTip = '';
  menu: { template: unknown[] } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setImage = vi.fn((image: unknown) => {
    this.image = image;
  });
  setToolTip = vi.fn((text: string) => {
    this.toolTip = text;
  });
  setContextMenu = vi.fn((menu: { template: unknown[] }) => {
    this.menu = menu;
  });
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
};

export const nativeImage = {
  createFromPath: vi.fn((p: string) => ({ path: p })),
};

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle: vi.fn((channel: string, handler: Handler) => {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel);
  }),
};

export const dialog = {
  showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
  showErrorBox: vi.fn(),
};

export const shell = {
  openPath: vi.fn(async (_p: string) => ''),
  openExternal: vi.fn(async (_url: string) => undefined),
};

export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((plain: string) => Buffer.from(`enc:${plain}`, 'utf8')),
  decryptString: vi.fn((b: Buffer) => b.toString('utf8').replace(/^enc:/, '')),
};

export class Notification extends EventEmitter {
  static instances: Notification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return Notification.supported;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
    Notification.instances.push(this);
  }
  show = vi.fn();
}

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (r: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

export const session = {
  defaultSession: {
    permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheckHandler: null as null | ((wc: unknown, permission: string, origin: string) => boolean),
    headersListener: null as null | HeadersListener,
    setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void) {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: (wc: unknown, permission: string, origin: string) => boolean) {
      this.permissionCheckHandler = h;
    },
    webRequest: {
      onHeadersReceived(l: HeadersListener) {
        session.defaultSession.headersListener = l;
      },
    },
  },
};

class FakeApp extends EventEmitter {
  lock = true;
  isPackaged = false;
  userData = path.join(os.tmpdir(), 's3lync-shell-test');
  quitCount = 0;
  exited: number | null = null;
  private readyResolve: (() => void) | null = null;
  private readyPromise: Promise<void> = Promise.resolve();
  requestSingleInstanceLock = vi.fn(() => this.lock);
  enableSandbox = vi.fn();
  setAppUserModelId = vi.fn();
  setLoginItemSettings = vi.fn();
  getLoginItemSettings = vi.fn(() => ({ openAtLogin: false, wasOpenedAtLogin: false }));
  getAppPath = vi.fn(() => '/app');
  setPath = vi.fn((name: string, value: string) => {
    if (name === 'userData') this.userData = value;
  });
  getPath = vi.fn((name: string) => (name === 'userData' ? this.userData : path.join(os.tmpdir(), name)));
  whenReady = vi.fn(() => this.readyPromise);
  /** Like Electron: 'before-quit' first (cancellable), then the app ends. */
  quit = vi.fn(() => {
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitCount++;
  });
  exit = vi.fn((code: number) => {
    this.exited = code;
  });
  /** Makes whenReady() wait until ready() is called. */
  holdReady(): void {
    this.readyPromise = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
  }
  ready(): void {
    this.readyResolve?.();
  }
  resetState(): void {
    this.removeAllListeners();
    this.lock = true;
    this.isPackaged = false;
    this.userData = path.join(os.tmpdir(), 's3lync-shell-test');
    this.quitCount = 0;
    this.exited = null;
    this.readyPromise = Promise.resolve();
    this.readyResolve = null;
  }
}

export const app = new FakeApp();

// ---- preload side ----

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export const ipcRenderer = {
  listeners: new Map<string, Set<RendererListener>>(),
  invoke: vi.fn(async (_channel: string, _payload: unknown): Promise<unknown> => ({ ok: true, value: null })),
  on: vi.fn((channel: string, l: RendererListener) => {
    if (!ipcRenderer.listeners.has(channel)) ipcRenderer.listeners.set(channel, new Set());
    ipcRenderer.listeners.get(channel)!.add(l);
    return ipcRenderer;
  }),
  removeListener: vi.fn((channel: string, l: RendererListener) => {
    ipcRenderer.listeners.get(channel)?.delete(l);
    return ipcRenderer;
  }),
  /** What main's webContents.send does on the renderer side. */
  deliver(channel: string, payload: unknown): void {
    for (const l of ipcRenderer.listeners.get(channel) ?? []) l({ sender: ipcRenderer, senderId: 0 }, payload);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    contextBridge.exposed.set(key, api);
  }),
};

export const webUtils = {
  getPathForFile: vi.fn((_f: unknown) => '/dropped/file.txt'),
};

export const fake = {
  reset(): void {
    app.resetState();
    BrowserWindow.instances = [];
    Tray.instances = [];
    Notification.instances = [];
    Notification.supported = true;
    ipcMain.handlers.clear();
    ipcRenderer.listeners.clear();
    contextBridge.exposed.clear();
    session.defaultSession.permissionRequestHandler = null;
    session.defaultSession.permissionCheckHandler = null;
    session.defaultSession.headersListener = null;
    vi.clearAllMocks();
  },
};

export default {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  ipcMain,
  dialog,
  shell,
  safeStorage,
  Notification,
  session,
  ipcRenderer,
  contextBridge,
  webUtils,
};
