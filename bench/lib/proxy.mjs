// A counting HTTP proxy in front of the S3 server. Every tool under test talks to it as if it were
// the endpoint. It forwards each request unchanged (the Host header too, because SigV4 signs it)
// and counts requests by S3 operation, so each benchmarked run can report what it sent.
import http from 'node:http';

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** The S3 operation a request is, judged from method, path and query. */
export function classify(method, url) {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const segments = pathname.split('/').filter(Boolean);
  const onBucket = segments.length <= 1; // path style: /bucket or /
  switch (method) {
    case 'GET':
      if (onBucket) return params.has('uploads') ? 'LIST_UPLOADS' : segments.length === 0 ? 'LIST_BUCKETS' : 'LIST';
      if (params.has('uploadId')) return 'LIST_PARTS';
      return 'GET';
    case 'HEAD':
      return onBucket ? 'HEAD_BUCKET' : 'HEAD';
    case 'PUT':
      if (onBucket) return 'PUT_BUCKET';
      if (params.has('partNumber')) return 'PUT_PART';
      return 'PUT';
    case 'POST':
      if (params.has('delete')) return 'DELETE_MULTI';
      if (params.has('uploads')) return 'MPU_INIT';
      if (params.has('uploadId')) return 'MPU_COMPLETE';
      return 'POST';
    case 'DELETE':
      return params.has('uploadId') ? 'MPU_ABORT' : 'DELETE';
    default:
      return method;
  }
}

export async function startProxy({ targetPort, targetHost = '127.0.0.1', port = 0 }) {
  const counts = {};
  let bytesUp = 0;
  let bytesDown = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const op = classify(req.method, req.url);
    counts[op] = (counts[op] ?? 0) + 1;
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    const up = http.request(
      { host: targetHost, port: targetPort, method: req.method, path: req.url, headers, agent },
      (ures) => {
        const out = {};
        for (const [k, v] of Object.entries(ures.headers)) if (!HOP.has(k)) out[k] = v;
        res.writeHead(ures.statusCode ?? 502, ures.statusMessage, out);
        if (ures.statusCode >= 400) counts[`ERR_${ures.statusCode}`] = (counts[`ERR_${ures.statusCode}`] ?? 0) + 1;
        ures.on('data', (c) => (bytesDown += c.length));
        ures.pipe(res);
      },
    );
    up.on('error', (err) => {
      counts.PROXY_ERROR = (counts.PROXY_ERROR ?? 0) + 1;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err.message));
    });
    req.on('data', (c) => (bytesUp += c.length));
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    port: actual,
    endpoint: `http://127.0.0.1:${actual}`,
    /** A copy of the counters, to diff around one run. */
    snapshot: () => ({ counts: { ...counts }, bytesUp, bytesDown }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
        agent.destroy();
      }),
  };
}

/** Counters of `after` minus `before`, zeros dropped, plus a total. */
export function diffCounts(before, after) {
  const out = {};
  let total = 0;
  for (const [k, v] of Object.entries(after.counts)) {
    const d = v - (before.counts[k] ?? 0);
    if (d) {
      out[k] = d;
      if (!k.startsWith('ERR_') && k !== 'PROXY_ERROR') total += d;
    }
  }
  return { ...out, total, mbUp: +((after.bytesUp - before.bytesUp) / 1048576).toFixed(1), mbDown: +((after.bytesDown - before.bytesDown) / 1048576).toFixed(1) };
}
