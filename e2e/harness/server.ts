// The e2e harness: the real main-side services (engine, pairs, profiles) running in the test
// process, the built renderer served over 127.0.0.1, and a WebSocket that carries the preload
// bridge's invokes and events in place of Electron's IPC. Only the transport differs from the app.
import { createServer, type Server } from 'node:http';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { wireEvent, type EventChannel, type EventOf } from '../../src/shared/ipc';
import { AppServices, createRouter } from '../../src/main/services/app-services';
import type { SecretBox, ShellHooks } from '../../src/main/services/types';

const RENDERER_DIR = path.join(__dirname, '..', '..', 'out', 'renderer');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** A SecretBox that is reversible but never plain text (safeStorage's role in the app). */
export const testSecrets: SecretBox = {
  available: () => true,
  encrypt: (s) => `enc:${Buffer.from(s, 'utf8').toString('base64').split('').reverse().join('')}`,
  decrypt: (c) => Buffer.from(c.slice(4).split('').reverse().join(''), 'base64').toString('utf8'),
};

export interface Harness {
  url: string;
  wsUrl: string;
  services: AppServices;
  notifications: Array<[string, string]>;
  /** What "Choose folder…" returns next. */
  setChosenFolder(p: string | null): void;
  close(): Promise<void>;
}

export async function startHarness(dataDir: string, options: { background?: boolean } = {}): Promise<Harness> {
  const sockets = new Set<WebSocket>();
  const notifications: Array<[string, string]> = [];
  let chosen: string | null = null;
  const hooks: ShellHooks = {
    chooseFolder: async () => chosen,
    openPath: async () => undefined,
    setLaunchAtLogin: () => undefined,
    notify: (title, body) => void notifications.push([title, body]),
  };
  const services = await AppServices.create({
    dataDir,
    secrets: testSecrets,
    hooks,
    background: options.background ?? false,
    sink: {
      emit<E extends EventChannel>(event: E, payload: EventOf<E>) {
        const msg = JSON.stringify({ type: 'event', wire: wireEvent(event), payload });
        for (const s of sockets) s.send(msg);
      },
    },
  });
  const route = createRouter(services.handlers);
  let port = 0;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.join(RENDERER_DIR, path.normalize(rel));
    if (!file.startsWith(RENDERER_DIR)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body: Buffer | string = await fs.readFile(file);
      if (path.extname(file) === '.html') {
        // Test-only: let the page reach this harness's WebSocket (the app itself talks over IPC,
        // and its CSP allows no connections at all beyond its own origin).
        body = body.toString('utf8').replace("default-src 'self';", `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port};`);
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  const wss = new WebSocketServer({ server, path: '/bridge' });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', async (data) => {
      let msg: { id: number; wire: string; payload: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      // The wire name is `s3lync:invoke:<channel>`, as over Electron's IPC.
      const channel = String(msg.wire).replace(/^s3lync:invoke:/, '');
      const envelope = await route(channel, msg.payload);
      socket.send(JSON.stringify({ type: 'reply', id: msg.id, envelope }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/bridge`,
    services,
    notifications,
    setChosenFolder: (p) => {
      chosen = p;
    },
    close: async () => {
      await services.shutdown();
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
