// The preload bridge: window.s3lync exposes exactly the contract's channels over a transport,
// unwraps main's envelopes, and gives listeners payloads only.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { eventChannels, invokeChannels, wireEvent, wireInvoke, type S3lyncApi } from '../../src/shared/ipc';
import { createApi, type Transport } from '../../src/preload/bridge';
import { contextBridge, fake, ipcRenderer, webUtils } from './fake-electron';

vi.mock('electron', () => import('./fake-electron.js'));

function fakeTransport(reply: (wire: string, payload: unknown) => unknown = () => ({ ok: true, value: 'v' })) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport = {
    invoke: vi.fn(async (wire: string, payload: unknown) => reply(wire, payload)),
    on: vi.fn((wire: string, l: (p: unknown) => void) => {
      if (!listeners.has(wire)) listeners.set(wire, new Set());
      listeners.get(wire)!.add(l);
      return () => listeners.get(wire)!.delete(l);
    }),
    emit(wire: string, payload: unknown) {
      for (const l of listeners.get(wire) ?? []) l(payload);
    },
    count: (wire: string) => listeners.get(wire)?.size ?? 0,
  };
  return transport satisfies Transport & object;
}

/** Calls the API as the untyped renderer code could. */
const loose = (api: S3lyncApi) => api as unknown as {
  invoke(c: string, r: unknown): Promise<unknown>;
  on(e: string, l: unknown): () => void;
};

describe('createApi', () => {
  it('exposes exactly invoke, on and pathForFile, frozen', () => {
    const api = createApi(fakeTransport(), () => '/x');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends every contract channel to its wire name and returns the value', async () => {
    const t = fakeTransport((wire, payload) => ({ ok: true, value: { wire, payload } }));
    const api = createApi(t, () => '');
    for (const channel of invokeChannels) {
      await expect(loose(api).invoke(channel, { a: 1 })).resolves.toEqual({ wire: wireInvoke(channel), payload: { a: 1 } });
    }
    expect(t.invoke).toHaveBeenCalledTimes(invokeChannels.length);
  });

  it('rejects channels outside the contract without touching the transport', async () => {
    const t = fakeTransport();
    const api = loose(createApi(t, () => ''));
    for (const bad of ['nope', 's3lync:invoke:app:get-state', '__proto__', 'constructor', '', 42 as unknown as string]) {
      await expect(api.invoke(bad, {})).rejects.toMatchObject({ name: 'UnknownChannel', message: expect.stringMatching(/^Unknown channel/) });
    }
    expect(t.invoke).not.toHaveBeenCalled();
  });

  it('turns an error envelope into an Error with the error class as its name', async () => {
    const t = fakeTransport(() => ({ ok: false, error: 'InvalidRequest', message: 'Invalid request for pairs:remove: id: Too small.' }));
    const api = createApi(t, () => '');
    const err = await api.invoke('pairs:remove', { id: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('InvalidRequest');
    expect((err as Error).message).toBe('Invalid request for pairs:remove: id: Too small.');
  });

  it('rejects a malformed response clearly', async () => {
    for (const bad of [undefined, null, 'x', { value: 1 }]) {
      const api = createApi(fakeTransport(() => bad), () => '');
      await expect(api.invoke('app:get-state', {})).rejects.toMatchObject({ name: 'ProtocolError', message: 'The app sent a malformed response to app:get-state.' });
    }
  });

  it('passes transport failures through as rejections', async () => {
    const t = fakeTransport(() => {
      throw new Error('socket closed');
    });
    await expect(createApi(t, () => '').invoke('sync:all', {})).rejects.toThrow('socket closed');
  });

  it('subscribes contract events on their wire names; listeners get the payload; unsubscribe works once', () => {
    const t = fakeTransport();
    const api = createApi(t, () => '');
    for (const event of eventChannels) {
      const got: unknown[] = [];
      const off = loose(api).on(event, (p: unknown) => got.push(p));
      t.emit(wireEvent(event), { n: 1 });
      expect(got).toEqual([{ n: 1 }]);
      off();
      off();
      t.emit(wireEvent(event), { n: 2 });
      expect(got).toEqual([{ n: 1 }]);
      expect(t.count(wireEvent(event))).toBe(0);
    }
  });

  it('refuses events outside the contract and non-function listeners', () => {
    const t = fakeTransport();
    const api = loose(createApi(t, () => ''));
    expect(() => api.on('pairs:create', () => undefined)).toThrow(/^Unknown event "pairs:create"/);
    expect(() => api.on('s3lync:event:pair:state', () => undefined)).toThrow(/Unknown event/);
    expect(() => api.on('pair:state', 'not a function')).toThrow(TypeError);
    expect(t.on).not.toHaveBeenCalled();
  });

  it('asks the host for a dropped file path', () => {
    const pathForFile = vi.fn(() => '/home/me/Photos');
    const api = createApi(fakeTransport(), pathForFile);
    const file = { name: 'Photos' } as unknown as File;
    expect(api.pathForFile(file)).toBe('/home/me/Photos');
    expect(pathForFile).toHaveBeenCalledWith(file);
  });
});

describe('the Electron preload', () => {
  // The preload exposes the API once, when it runs.
  let api: S3lyncApi;
  beforeAll(async () => {
    fake.reset();
    await import('../../src/preload/index.js');
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, exposed] = contextBridge.exposeInMainWorld.mock.calls[0];
    expect(key).toBe('s3lync');
    api = exposed as S3lyncApi;
  });

  it('exposes window.s3lync with invoke/on/pathForFile only, never ipcRenderer', () => {
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(Object.values(api)).not.toContain(ipcRenderer);
    expect([...contextBridge.exposed.keys()]).toEqual(['s3lync']);
  });

  it('invokes through ipcRenderer.invoke on the wire channel', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { pairs: [] } });
    await expect(api.invoke('app:get-state', {})).resolves.toEqual({ pairs: [] });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('s3lync:invoke:app:get-state', {});
  });

  it('gives listeners the payload only (not the IPC event) and removes them on unsubscribe', () => {
    const listener = vi.fn();
    const off = api.on('app:paused', listener);
    ipcRenderer.deliver('s3lync:event:app:paused', true);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([true]);
    off();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith('s3lync:event:app:paused', expect.any(Function));
    ipcRenderer.deliver('s3lync:event:app:paused', false);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.listeners.get('s3lync:event:app:paused')?.size ?? 0).toBe(0);
  });

  it('uses webUtils.getPathForFile for dropped files', () => {
    expect(api.pathForFile({} as File)).toBe('/dropped/file.txt');
    expect(webUtils.getPathForFile).toHaveBeenCalled();
  });
});
