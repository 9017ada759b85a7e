// A synthetic S3 endpoint for the 100,000-file no-op case: it serves a generated listing (and
// HEAD/GET of the same generated objects) for one bucket, so the memory of a no-op sync over
// 100k files can be measured without first storing 100k objects in Swift (at ~150 PUT/s that
// alone would take ~11 minutes). Only listing and scanning matter for that case; the stub answers
// ListObjects (v1 and v2, with prefix/delimiter/marker/continuation-token/start-after), HEAD and
// GET of objects, and accepts (and counts) PUTs so that a tool that wrongly re-uploads still
// finishes and shows up in the request counts. Signatures are not checked.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { classify } from './access-log.mjs';

/** content of generated file i (the bench writes the same bytes locally). */
export function stubContent(i) {
  return Buffer.from(`s3lync bench file ${i}\n`);
}

export function stubRel(i, perDir = 1000) {
  const d = String(Math.floor(i / perDir)).padStart(3, '0');
  return `d${d}/f${String(i).padStart(6, '0')}.txt`;
}

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startStub({ bucket, prefix, count, mtimeSec, perDir = 1000 }) {
  const iso = new Date(mtimeSec * 1000).toISOString();
  const httpDate = new Date(mtimeSec * 1000).toUTCString();
  const objects = [];
  for (let i = 0; i < count; i++) {
    const body = stubContent(i);
    objects.push({ key: prefix + stubRel(i, perDir), size: body.length, etag: createHash('md5').update(body).digest('hex'), i });
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const counts = {};

  // First index whose key is > s (orEqual: >= s), by binary search.
  const bound = (s, orEqual = false) => {
    let lo = 0;
    let hi = objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (orEqual ? objects[mid].key < s : objects[mid].key <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const list = (params, v2) => {
    const pfx = params.get('prefix') ?? '';
    const delim = params.get('delimiter') ?? '';
    const max = Math.min(Number(params.get('max-keys') ?? 1000) || 1000, 1000);
    const encode = params.get('encoding-type') === 'url';
    const enc = (s) => (encode ? encodeURIComponent(s).replace(/%2F/g, '/') : xmlEscape(s));
    const after = v2 ? (params.get('continuation-token') ? Buffer.from(params.get('continuation-token'), 'base64').toString() : params.get('start-after') ?? '') : params.get('marker') ?? '';
    let i = Math.max(bound(pfx, true), after ? bound(after) : 0);
    // A marker that is a common prefix skips everything under it.
    if (delim && after.endsWith(delim)) while (i < objects.length && objects[i].key.startsWith(after)) i++;
    const contents = [];
    const prefixes = [];
    let last = '';
    let truncated = false;
    for (; i < objects.length; i++) {
      const o = objects[i];
      if (!o.key.startsWith(pfx)) {
        if (o.key > pfx) break;
        continue;
      }
      if (contents.length + prefixes.length >= max) {
        truncated = true;
        break;
      }
      const rest = o.key.slice(pfx.length);
      const d = delim ? rest.indexOf(delim) : -1;
      if (d !== -1) {
        const cp = pfx + rest.slice(0, d + delim.length);
        prefixes.push(cp);
        last = cp;
        while (i + 1 < objects.length && objects[i + 1].key.startsWith(cp)) i++;
        continue;
      }
      contents.push(o);
      last = o.key;
    }
    const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`, `<Name>${bucket}</Name><Prefix>${enc(pfx)}</Prefix>`];
    if (v2) {
      parts.push(`<KeyCount>${contents.length + prefixes.length}</KeyCount>`);
      if (params.get('continuation-token')) parts.push(`<ContinuationToken>${xmlEscape(params.get('continuation-token'))}</ContinuationToken>`);
      if (truncated) parts.push(`<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>`);
    } else {
      parts.push(`<Marker>${enc(params.get('marker') ?? '')}</Marker>`);
      if (truncated && delim) parts.push(`<NextMarker>${enc(last)}</NextMarker>`);
    }
    if (encode) parts.push('<EncodingType>url</EncodingType>');
    if (delim) parts.push(`<Delimiter>${enc(delim)}</Delimiter>`);
    parts.push(`<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`);
    for (const o of contents) {
      parts.push(`<Contents><Key>${enc(o.key)}</Key><LastModified>${iso}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
    }
    for (const p of prefixes) parts.push(`<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`);
    parts.push('</ListBucketResult>');
    return parts.join('');
  };

  const server = http.createServer((req, res) => {
    const op = classify(req.method, req.url);
    counts[op] = (counts[op] ?? 0) + 1;
    const q = req.url.indexOf('?');
    const pathname = decodeURIComponent(q === -1 ? req.url : req.url.slice(0, q));
    const params = new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1));
    const segs = pathname.split('/');
    const b = segs[1] ?? '';
    const key = segs.slice(2).join('/');
    const send = (status, body = '', headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (b !== bucket) return send(404, '<Error><Code>NoSuchBucket</Code><Message>no such bucket</Message></Error>');
      if (!key) {
        if (req.method === 'GET' && !params.has('uploads')) return send(200, list(params, params.get('list-type') === '2'));
        if (req.method === 'HEAD') return send(200);
        if (req.method === 'GET' && params.has('location')) return send(200, '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>');
        return send(200, '<ListMultipartUploadsResult></ListMultipartUploadsResult>');
      }
      if (req.method === 'PUT') {
        const md5 = createHash('md5').update(Buffer.concat(chunks)).digest('hex');
        return send(200, '', { etag: `"${md5}"` });
      }
      if (req.method === 'DELETE') return send(204);
      const o = byKey.get(key);
      if (!o) return send(404, '<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
      const headers = {
        etag: `"${o.etag}"`,
        'last-modified': httpDate,
        'x-amz-meta-mtime': `${mtimeSec}.000000000`,
        'content-type': 'application/octet-stream',
      };
      const body = stubContent(o.i);
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    snapshot: () => ({ counts: { ...counts }, bytesUp: 0, bytesDown: 0 }),
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections?.(); }),
  };
}
