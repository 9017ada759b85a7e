// IPC: every contract channel is registered; only the main window's top frame showing our page
// is heard; payloads are validated by the services' router before any handler runs.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { invokeChannels, parseRequest, wireInvoke } from '../../src/shared/ipc';
import type { Envelope, Handlers } from '../../src/main/services/types';
import { createRouter } from '../../src/main/services/app-services';
import { registerIpc, type Router } from '../../src/main/shell/ipc';
import { isAppUrl, isTrustedSender, senderFacts, type SenderFacts } from '../../src/main/shell/trust';
import { fake, ipcMain } from './fake-electron';

vi.mock('electron', () => import('./fake-electron.js'));

const appUrl = 'file:///opt/s3lync/resources/app.asar/out/renderer/index.html';
const WINDOW_ID = 7;

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

/** An IPC event as Electron builds it: the sending webContents and frame. */
function ipcEvent(opts: { id?: number; url?: string; subframe?: boolean; noFrame?: boolean } = {}) {
  const mainFrame: FakeFrame = { url: opts.url ?? appUrl, parent: null };
  const frame: FakeFrame = opts.subframe ? { url: opts.url ?? appUrl, parent: mainFrame } : mainFrame;
  return { sender: { id: opts.id ?? WINDOW_ID, mainFrame }, senderFrame: opts.noFrame ? null : frame } as never;
}

const isTrusted = (event: Parameters<typeof senderFacts>[0]) =>
  isTrustedSender(senderFacts(event), { webContentsId: WINDOW_ID, appUrl });

async function call(channel: string, event: unknown, payload: unknown): Promise<Envelope> {
  const handler = ipcMain.handlers.get(wireInvoke(channel as never));
  if (!handler) throw new Error(`no handler for ${channel}`);
  return (await handler(event, payload)) as Envelope;
}

describe('registerIpc', () => {
  beforeEach(() => fake.reset());

  it('registers every contract channel on its wire name, and only those', () => {
    const unregister = registerIpc(ipcMain as never, vi.fn(), isTrusted);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(invokeChannels.map(wireInvoke).sort());
    expect(ipcMain.handlers.size).toBe(invokeChannels.length);
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('passes a trusted request to the router and returns its envelope', async () => {
    const router = vi.fn<Router>(async (channel, payload) => ({ ok: true, value: { channel, payload } }));
    registerIpc(ipcMain as never, router, isTrusted);
    await expect(call('pairs:remove', ipcEvent(), { id: 'p1' })).resolves.toEqual({ ok: true, value: { channel: 'pairs:remove', payload: { id: 'p1' } } });
    await expect(call('app:get-state', ipcEvent({ url: `${appUrl}#/settings` }), {})).resolves.toMatchObject({ ok: true });
    expect(router).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['another webContents', { id: WINDOW_ID + 1 }],
    ['a subframe of our window', { subframe: true }],
    ['our window showing another page', { url: 'https://evil.example/' }],
    ['another local file', { url: 'file:///tmp/evil.html' }],
    ['a frame that is gone', { noFrame: true }],
  ])('answers Forbidden to %s, without calling the router', async (_name, opts) => {
    const router = vi.fn<Router>();
    registerIpc(ipcMain as never, router, isTrusted);
    for (const channel of invokeChannels) {
      const env = await call(channel, ipcEvent(opts), {});
      expect(env).toEqual({ ok: false, error: 'Forbidden', message: `Refused ${channel}: the request did not come from the s3lync window.` });
    }
    expect(router).not.toHaveBeenCalled();
  });

  it('treats a trust check that throws as untrusted', async () => {
    const router = vi.fn<Router>();
    registerIpc(ipcMain as never, router, () => {
      throw new Error('frame destroyed');
    });
    await expect(call('sync:all', ipcEvent(), {})).resolves.toMatchObject({ ok: false, error: 'Forbidden' });
    expect(router).not.toHaveBeenCalled();
  });

  it('never lets a router exception escape as a stack', async () => {
    registerIpc(ipcMain as never, async () => {
      throw new Error('boom');
    }, isTrusted);
    await expect(call('sync:all', ipcEvent(), {})).resolves.toEqual({ ok: false, error: 'InternalError', message: 'sync:all failed: boom' });
  });

  describe('with the services router (real createRouter and parseRequest)', () => {
    function handlers() {
      const h = Object.fromEntries(invokeChannels.map((c) => [c, vi.fn(async () => `${c} done`)])) as unknown as Handlers &
        Record<string, ReturnType<typeof vi.fn>>;
      return h;
    }

    it('rejects invalid payloads with a clear sentence and never calls the handler', async () => {
      const h = handlers();
      registerIpc(ipcMain as never, createRouter(h), isTrusted);
      const cases: Array<[string, unknown]> = [
        ['pairs:remove', { id: '' }],
        ['pairs:remove', { id: 'a/b' }],
        ['pairs:remove', {}],
        ['pairs:remove', null],
        ['pairs:remove', { id: 'ok', extra: 1 }],
        ['pairs:create', { localPath: '/x', remote: 'http://not-s3', direction: 'push', exclude: [], profileId: 'p', enabled: true }],
        ['sync:pause-all', { paused: 'yes' }],
        ['settings:update', { concurrency: 0 }],
      ];
      for (const [channel, payload] of cases) {
        const env = await call(channel, ipcEvent(), payload);
        const expected = parseRequest(channel, payload);
        expect(expected.ok).toBe(false);
        expect(env).toEqual({ ok: false, error: 'InvalidRequest', message: (expected as { message: string }).message });
        expect((env as { message: string }).message).toMatch(new RegExp(`^Invalid request for ${channel}: `));
      }
      for (const c of invokeChannels) expect(h[c]).not.toHaveBeenCalled();
    });

    it('runs the handler for a valid payload', async () => {
      const h = handlers();
      registerIpc(ipcMain as never, createRouter(h), isTrusted);
      await expect(call('pairs:remove', ipcEvent(), { id: 'p1' })).resolves.toEqual({ ok: true, value: 'pairs:remove done' });
      expect(h['pairs:remove']).toHaveBeenCalledWith({ id: 'p1' });
    });

    it('turns a handler error into an envelope with its class name and no stack', async () => {
      const h = handlers();
      (h['pairs:sync'] as unknown as ReturnType<typeof vi.fn>).mockRejectedValueOnce(Object.assign(new Error('Pair p1 does not exist.'), { name: 'NotFound' }));
      registerIpc(ipcMain as never, createRouter(h), isTrusted);
      const env = await call('pairs:sync', ipcEvent(), { id: 'p1' });
      expect(env).toMatchObject({ ok: false, error: 'NotFound' });
      const msg = (env as { message: string }).message;
      expect(typeof msg).toBe('string');
      expect(msg.length).toBeGreaterThan(0);
      expect(msg).not.toMatch(/\n\s+at /);
    });
  });
});

describe('trust (pure)', () => {
  const trusted = { webContentsId: 3, appUrl };
  const facts = (f: Partial<SenderFacts>): SenderFacts => ({ webContentsId: 3, frameUrl: appUrl, isMainFrame: true, ...f });

  it('trusts only our window, top frame, our page', () => {
    expect(isTrustedSender(facts({}), trusted)).toBe(true);
    expect(isTrustedSender(facts({ webContentsId: 4 }), trusted)).toBe(false);
    expect(isTrustedSender(facts({ isMainFrame: false }), trusted)).toBe(false);
    expect(isTrustedSender(facts({ frameUrl: null }), trusted)).toBe(false);
    expect(isTrustedSender(facts({ frameUrl: 'file:///opt/s3lync/resources/app.asar/out/renderer/other.html' }), trusted)).toBe(false);
    expect(isTrustedSender(facts({}), { webContentsId: null, appUrl })).toBe(false);
  });

  it('matches our page by exact file, or by dev server origin', () => {
    expect(isAppUrl(`${appUrl}?x=1#/pairs`, appUrl)).toBe(true);
    expect(isAppUrl('file:///opt/s3lync/resources/app.asar/out/renderer/index.html/../index.html', appUrl)).toBe(true);
    expect(isAppUrl('file://evilhost/opt/s3lync/resources/app.asar/out/renderer/index.html', appUrl)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('about:blank', appUrl)).toBe(false);
    expect(isAppUrl('garbage', appUrl)).toBe(false);
    expect(isAppUrl(appUrl, 'garbage')).toBe(false);
  });

  it('reads the facts off an Electron IPC event', () => {
    expect(senderFacts(ipcEvent())).toEqual({ webContentsId: WINDOW_ID, frameUrl: appUrl, isMainFrame: true });
    expect(senderFacts(ipcEvent({ subframe: true }))).toMatchObject({ isMainFrame: false });
    expect(senderFacts(ipcEvent({ noFrame: true }))).toEqual({ webContentsId: WINDOW_ID, frameUrl: null, isMainFrame: false });
    const throwing = { sender: { id: 1, mainFrame: null }, get senderFrame(): never { throw new Error('destroyed'); } };
    expect(senderFacts(throwing as never)).toEqual({ webContentsId: 1, frameUrl: null, isMainFrame: false });
  });
});
