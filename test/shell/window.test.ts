// The window is locked down: isolation, sandbox, no Node; no navigation away, no new windows,
// no permissions, a strict CSP; closing hides it unless the app is quitting.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  APP_CSP,
  contentSecurityPolicy,
  createMainWindow,
  installSessionGuards,
  isAppResource,
  isSafeExternalUrl,
  showWindow,
  type MainWindowOptions,
} from '../../src/main/shell/window';
import { BrowserWindow, fake, session } from './fake-electron';

vi.mock('electron', () => import('./fake-electron.js'));

const appUrl = 'file:///opt/s3lync/resources/app.asar/out/renderer/index.html';

function open(overrides: Partial<MainWindowOptions> = {}) {
  let quitting = false;
  const opts: MainWindowOptions = {
    preload: '/opt/s3lync/out/preload/index.js',
    icon: '/opt/s3lync/assets/icon.png',
    appUrl,
    load: vi.fn(async (w) => {
      await w.loadURL(appUrl);
    }),
    isQuitting: () => quitting,
    openExternal: vi.fn(),
    showOnReady: true,
    devTools: false,
    ...overrides,
  };
  const win = createMainWindow(opts) as unknown as BrowserWindow;
  return { win, opts, quit: () => (quitting = true) };
}

describe('createMainWindow', () => {
  beforeEach(() => fake.reset());

  it('creates one hidden window with safe webPreferences and shows it when ready', () => {
    const { win, opts } = open();
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(win.options).toMatchObject({ width: 1100, height: 720, minWidth: 800, minHeight: 600, show: false, title: 's3lync', icon: opts.icon });
    expect(win.options.webPreferences).toEqual({
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
    expect(opts.load).toHaveBeenCalledWith(win);
    expect(win.visible).toBe(false);
    win.becomeReady();
    expect(win.show).toHaveBeenCalledTimes(1);
  });

  it('stays hidden when launched at login', () => {
    const { win } = open({ showOnReady: false });
    win.becomeReady();
    expect(win.show).not.toHaveBeenCalled();
  });

  it('blocks navigation away from the app page', () => {
    const { win } = open();
    const wc = win.webContents;
    expect(wc.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.fire('will-navigate', 'file:///home/me/dropped-file.txt')).toBe(true);
    expect(wc.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.fire('will-navigate', appUrl)).toBe(false);
    expect(wc.fire('will-navigate', `${appUrl}#/settings`)).toBe(false);
  });

  it('never attaches webviews', () => {
    const { win } = open();
    expect(win.webContents.fire('will-attach-webview', {}, {})).toBe(true);
  });

  it('denies every new window; only https links go to the system browser', () => {
    const { win, opts } = open();
    const handler = win.webContents.windowOpenHandler!;
    expect(handler({ url: 'https://docs.aws.amazon.com/s3/' })).toEqual({ action: 'deny' });
    expect(opts.openExternal).toHaveBeenCalledWith('https://docs.aws.amazon.com/s3/');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com/']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(opts.openExternal).toHaveBeenCalledTimes(1);
  });

  it('hides on close (to the tray) unless the app is quitting', () => {
    const { win, quit } = open();
    win.becomeReady();
    win.close();
    expect(win.hide).toHaveBeenCalledTimes(1);
    expect(win.isDestroyed()).toBe(false);
    quit();
    win.close();
    expect(win.hide).toHaveBeenCalledTimes(1);
    expect(win.isDestroyed()).toBe(true);
  });

  it('reloads the page when the renderer process dies, but not in a loop', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { win, opts } = open();
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(opts.load).toHaveBeenCalledTimes(2);
    win.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(opts.load).toHaveBeenCalledTimes(2);
    for (let i = 0; i < 5; i++) win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(opts.load).toHaveBeenCalledTimes(4);
    err.mockRestore();
  });

  it('showWindow restores, shows and focuses', () => {
    const { win } = open();
    win.minimize();
    showWindow(win as never);
    expect(win.restore).toHaveBeenCalled();
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    showWindow(null);
  });
});

describe('session guards', () => {
  beforeEach(() => fake.reset());
  const ses = session.defaultSession;

  it('denies every permission request', () => {
    installSessionGuards(ses as never, { appUrl, devServerUrl: null });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      ses.permissionRequestHandler!({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
  });

  it('allows only clipboard writes from our own page in permission checks', () => {
    installSessionGuards(ses as never, { appUrl, devServerUrl: null });
    const ours = { getURL: () => appUrl };
    const foreign = { getURL: () => 'https://evil.example/' };
    expect(ses.permissionCheckHandler!(ours, 'clipboard-sanitized-write', 'file:///')).toBe(true);
    expect(ses.permissionCheckHandler!(foreign, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(ses.permissionCheckHandler!(ours, 'clipboard-read', 'file:///')).toBe(false);
    expect(ses.permissionCheckHandler!(ours, 'media', 'file:///')).toBe(false);
    expect(ses.permissionCheckHandler!(null, 'clipboard-sanitized-write', '')).toBe(false);
  });

  it('adds the strict CSP to our responses (replacing any other) and leaves others alone', () => {
    installSessionGuards(ses as never, { appUrl, devServerUrl: null });
    const respond = (url: string, responseHeaders?: Record<string, string[]>) => {
      let result: unknown;
      ses.headersListener!({ url, responseHeaders }, (r) => (result = r));
      return result as { responseHeaders?: Record<string, string[]> };
    };
    expect(respond(appUrl, { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] })).toEqual({
      responseHeaders: { 'Content-Security-Policy': [APP_CSP], 'X-Other': ['1'] },
    });
    expect(respond('file:///opt/s3lync/resources/app.asar/out/renderer/assets/index-1.js').responseHeaders).toEqual({ 'Content-Security-Policy': [APP_CSP] });
    expect(respond('https://s3.amazonaws.com/', { a: ['b'] })).toEqual({});
    expect(respond('file:///etc/passwd')).toEqual({});
  });

  it('uses the dev server in dev only', () => {
    installSessionGuards(ses as never, { appUrl: 'http://localhost:5173/', devServerUrl: 'http://localhost:5173/' });
    let result: { responseHeaders?: Record<string, string[]> } = {};
    ses.headersListener!({ url: 'http://localhost:5173/src/main.tsx' }, (r) => (result = r));
    expect(result.responseHeaders!['Content-Security-Policy'][0]).toContain('ws://localhost:5173');
  });
});

describe('policies', () => {
  it('the production CSP is exactly the renderer meta tag policy', () => {
    expect(contentSecurityPolicy(null)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it('the dev CSP adds the dev server (HMR socket, injected styles) and keeps the rest strict', () => {
    const csp = contentSecurityPolicy('http://localhost:5173');
    expect(csp).toContain("connect-src 'self' http://localhost:5173 ws://localhost:5173");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).not.toContain('*');
  });

  it('isSafeExternalUrl accepts plain https only', () => {
    expect(isSafeExternalUrl('https://aws.amazon.com/s3/')).toBe(true);
    expect(isSafeExternalUrl('http://aws.amazon.com/')).toBe(false);
    expect(isSafeExternalUrl('file:///tmp/x')).toBe(false);
    expect(isSafeExternalUrl('https://a:b@x.com/')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });

  it('isAppResource is the renderer folder, or the dev server origin', () => {
    expect(isAppResource('file:///app/out/renderer/assets/x.css', 'file:///app/out/renderer/index.html')).toBe(true);
    expect(isAppResource('file:///app/out/main/index.js', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(isAppResource('http://localhost:5173/@vite/client', 'http://localhost:5173/')).toBe(true);
    expect(isAppResource('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });
});
