// Request counting from the S3 server's own access log: scripts/s3-server.sh, given
// S3LYNC_S3_ACCESS_LOG_UDP, has Swift's proxy-logging send one line per request to a UDP port here
// ("METHOD PATH%3FQUERY STATUS SOURCE BYTES_IN BYTES_OUT", URL-quoted). Nothing sits in the data
// path, so every tool is timed against the bare server. Lines of Swift's own sub-requests (paths
// under /v1/, a swift.source set) are not client requests and are not counted.
import dgram from 'node:dgram';

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

/** Parses one access-log datagram into [operation, status, bytesIn, bytesOut], or null. */
export function parseAccessLine(text) {
  const line = text.replace(/\0+$/, '').replace(/^<\d+>[^:]*:\s*/, '').trim();
  const [method, quoted, status, source, bytesIn, bytesOut] = line.split(' ');
  if (!method || !quoted || !status) return null;
  if (source && source !== '-') return null; // a sub-request Swift made for itself
  let url;
  try {
    url = decodeURIComponent(quoted);
  } catch {
    return null;
  }
  if (url.startsWith('/v1/') || url.startsWith('/auth') || url === '/healthcheck' || url === '/info') return null;
  const num = (s) => (s && /^\d+$/.test(s) ? Number(s) : 0);
  return [classify(method, url), Number(status), num(bytesIn), num(bytesOut)];
}

/**
 * Listens for the server's access log. `port` goes to the server's S3LYNC_S3_ACCESS_LOG_UDP;
 * `settle()` waits until the lines of finished requests have arrived (quiet for 150 ms).
 */
export async function startAccessLog() {
  const counts = {};
  let bytesUp = 0;
  let bytesDown = 0;
  let last = Date.now();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg) => {
    last = Date.now();
    const parsed = parseAccessLine(msg.toString('utf8'));
    if (!parsed) return;
    const [op, status, up, down] = parsed;
    counts[op] = (counts[op] ?? 0) + 1;
    if (status >= 400) counts[`ERR_${status}`] = (counts[`ERR_${status}`] ?? 0) + 1;
    bytesUp += up;
    bytesDown += down;
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  socket.setRecvBufferSize(8 * 1024 * 1024);
  return {
    port: socket.address().port,
    /** A copy of the counters, to diff around one run. */
    snapshot: () => ({ counts: { ...counts }, bytesUp, bytesDown }),
    settle: async () => {
      const until = Date.now() + 3000;
      while (Date.now() - last < 150 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
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
      if (!k.startsWith('ERR_')) total += d;
    }
  }
  return { ...out, total, mbUp: +((after.bytesUp - before.bytesUp) / 1048576).toFixed(1), mbDown: +((after.bytesDown - before.bytesDown) / 1048576).toFixed(1) };
}
