// Browser side of the e2e harness: the preload's own bridge code (createApi) over a WebSocket
// transport instead of Electron's ipcRenderer. Bundled to an IIFE and injected before the page
// loads, so the renderer finds `window.s3lync` exactly as in the app.
import { createApi, type Transport } from '../../src/preload/bridge';

declare global {
  interface Window {
    __s3lyncBridgeUrl?: string;
    /** Paths of files the test "drops", standing in for webUtils.getPathForFile. */
    __s3lyncDroppedPaths?: WeakMap<File, string>;
  }
}

function wsTransport(url: string): Transport {
  const socket = new WebSocket(url);
  const open = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('The test bridge is not reachable.')), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (envelope: unknown) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  socket.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data));
    if (msg.type === 'reply') {
      pending.get(msg.id)?.(msg.envelope);
      pending.delete(msg.id);
    } else if (msg.type === 'event') {
      for (const l of listeners.get(msg.wire) ?? []) l(msg.payload);
    }
  });
  return {
    async invoke(wire, payload) {
      await open;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, wire, payload }));
      });
    },
    on(wire, listener) {
      if (!listeners.has(wire)) listeners.set(wire, new Set());
      listeners.get(wire)!.add(listener);
      return () => listeners.get(wire)?.delete(listener);
    },
  };
}

window.__s3lyncDroppedPaths = new WeakMap();
Object.defineProperty(window, 's3lync', {
  value: createApi(wsTransport(window.__s3lyncBridgeUrl!), (file) => window.__s3lyncDroppedPaths?.get(file) ?? ''),
  writable: false,
  configurable: false,
});
