// A loopback fault-injection proxy in front of the real S3 server. At configurable rates (with a
// seeded generator, so a failure replays) it answers 500 or 503 SlowDown, resets connections,
// stalls, truncates response bodies, and flips bytes in request or response bodies.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'error500' | 'slowdown' | 'reset' | 'stall' | 'truncate' | 'flip-response' | 'flip-request';
export const ALL_FAULTS: Fault[] = ['error500', 'slowdown', 'reset', 'stall', 'truncate', 'flip-response', 'flip-request'];

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxy {
  endpoint: string;
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  requests: number;
  setFaults(faults: Partial<Record<Fault, number>>, seed: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, stallMs = 6000): Promise<FaultProxy> {
  const up = new URL(upstream);
  let rates: Partial<Record<Fault, number>> = {};
  let random = rng(1);
  const injected = Object.fromEntries(ALL_FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  let requests = 0;

  const pick = (): Fault | null => {
    for (const f of ALL_FAULTS) {
      const r = rates[f] ?? 0;
      if (r > 0 && random() < r) return f;
    }
    return null;
  };

  const xmlError = (res: ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message></Error>`);
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const fault = pick();
    if (fault) injected[fault]++;
    if (fault === 'error500') return void req.resume().on('end', () => xmlError(res, 500, 'InternalError'));
    if (fault === 'slowdown') return void req.resume().on('end', () => xmlError(res, 503, 'SlowDown'));
    if (fault === 'reset') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (fault === 'flip-request' && body.length > 0) {
        body = Buffer.from(body);
        body[Math.floor(random() * body.length)] ^= 0x5a;
      }
      const forward = () => {
        const headers = { ...req.headers }; // the Host header is signed: keep it
        const preq = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers }, (pres) => {
          const out: Buffer[] = [];
          pres.on('data', (c: Buffer) => out.push(c));
          pres.on('end', () => {
            let payload = Buffer.concat(out);
            const isBody = req.method === 'GET' && (pres.statusCode ?? 0) < 300 && payload.length > 0;
            if (fault === 'flip-response' && isBody) {
              payload = Buffer.from(payload);
              payload[Math.floor(random() * payload.length)] ^= 0xa5;
            }
            res.writeHead(pres.statusCode ?? 502, pres.headers);
            if (fault === 'truncate' && isBody) {
              res.write(payload.subarray(0, Math.floor(payload.length / 2)));
              setTimeout(() => res.socket?.destroy(), 10);
              return;
            }
            res.end(payload);
          });
        });
        preq.on('error', () => res.socket?.destroy());
        preq.end(body);
      };
      if (fault === 'stall') setTimeout(forward, stallMs);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    get requests() {
      return requests;
    },
    setFaults(f, seed) {
      rates = f;
      random = rng(seed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
