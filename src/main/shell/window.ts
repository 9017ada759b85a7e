// The one BrowserWindow, locked down: isolated, sandboxed preload, no Node, no navigation away,
// no new windows, no permissions, a strict CSP. Closing it hides it to the tray.
import { BrowserWindow, type Session } from 'electron';
import { isAppUrl } from './trust';

export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'";

/** The policy for our pages: APP_CSP, loosened in dev only for Vite's dev server (HMR, injected styles). */
export function contentSecurityPolicy(devServerUrl: string | null): string {
  if (!devServerUrl) return APP_CSP;
  const dev = new URL(devServerUrl);
  const ws = `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`;
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' ${dev.origin}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${dev.origin} ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Only plain https links (no credentials) may be handed to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Whether a response belongs to our app: files of the renderer folder, or the dev server. */
export function isAppResource(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const a = new URL(appUrl);
    if (a.protocol === 'file:') {
      const dir = a.pathname.slice(0, a.pathname.lastIndexOf('/') + 1);
      return u.protocol === 'file:' && u.host === a.host && u.pathname.startsWith(dir);
    }
    return u.origin === a.origin;
  } catch {
    return false;
  }
}

export interface SessionGuardOptions {
  appUrl: string;
  devServerUrl: string | null;
}

/** Denies every permission request and adds the CSP header to our own responses. */
export function installSessionGuards(ses: Session, opts: SessionGuardOptions): void {
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  // Checks (not requests): only writing to the clipboard, and only from our page.
  ses.setPermissionCheckHandler(
    (webContents, permission) =>
      permission === 'clipboard-sanitized-write' && webContents !== null && isAppUrl(webContents.getURL(), opts.appUrl),
  );
  const csp = contentSecurityPolicy(opts.devServerUrl);
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppResource(details.url, opts.appUrl)) {
      callback({});
      return;
    }
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

export interface MainWindowOptions {
  preload: string;
  icon: string;
  /** The page's URL (file:// of out/renderer/index.html, or the dev server). */
  appUrl: string;
  /** Loads the page into the window (loadFile or loadURL). */
  load(win: BrowserWindow): Promise<void>;
  /** While false, closing the window only hides it. */
  isQuitting(): boolean;
  /** Opens a vetted https URL in the system browser. */
  openExternal(url: string): void;
  /** Show the window once it is ready (false when launched hidden at login). */
  showOnReady: boolean;
  devTools: boolean;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 's3lync',
    icon: opts.icon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open links in new windows; nothing in the app needs it.
      disableBlinkFeatures: 'Auxclick',
      devTools: opts.devTools,
    },
  });

  win.once('ready-to-show', () => {
    if (opts.showOnReady) win.show();
  });

  win.on('close', (event) => {
    if (opts.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });

  const contents = win.webContents;
  // Only our own page may load in the window (a dropped file would otherwise open in it).
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url, opts.appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, opts.appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) opts.openExternal(url);
    return { action: 'deny' };
  });
  // A crashed page is reloaded, but not in a loop: at most 3 times a minute.
  let reloads: number[] = [];
  contents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const now = Date.now();
    reloads = reloads.filter((t) => now - t < 60_000);
    if (reloads.length >= 3) {
      console.error(`s3lync: the window's renderer stopped again (${details.reason}); not reloading.`);
      return;
    }
    reloads.push(now);
    console.error(`s3lync: the window's renderer stopped (${details.reason}); reloading.`);
    void opts.load(win).catch(() => undefined);
  });

  void opts.load(win).catch((err: unknown) => {
    console.error(`s3lync: could not load the window: ${(err as Error)?.message ?? String(err)}`);
  });
  return win;
}

/** Brings the window to the front (restoring it when minimized). */
export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
