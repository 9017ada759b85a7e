// Direct requests: the hot per-object calls of a sync (small PUTs, GETs, HEADs) signed with the
// SDK's own SigV4 signer and sent through the client's own HTTP handler, without the SDK's
// per-command machinery (middleware stack, endpoint rules, schema serde, retry bookkeeping).
// Measured here: ~1.3 ms of CPU per request with the SDK, ~0.3 ms direct; on a machine whose
// cores the S3 server shares, that CPU is what small-file transfers wait for.
//
// Only the happy path is ours. The route (endpoint, path, Host, signing region) is the one the SDK
// itself used for a successful listing of that bucket, so endpoint rules, path-style, custom
// endpoints and region redirects stay the SDK's. Any answer other than the expected success (an
// error status, a redirect, a network failure, a body-less reply) gives `{ ok: false }` and the
// caller repeats the call through the SDK, whose retries, clock-skew correction and error messages remain
// the only ones users ever see. Every call made here is idempotent (PUT of a whole object, GET,
// HEAD), so repeating it is safe. S3LYNC_DIRECT=0 turns the whole path off.
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Client } from '@aws-sdk/client-s3';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/** Where the SDK sent a bucket's requests: object paths are `basePath/encoded-key`. */
export interface DirectRoute {
  protocol: string;
  hostname: string;
  port?: number;
  /** The Host header the SDK sent (includes a non-default port). */
  host: string;
  /** '/bucket' (path-style, possibly under an endpoint path) or '' (virtual-hosted). */
  basePath: string;
  region: string;
}

/** Requests answered directly vs. repeated through the SDK (tests and the benchmark read this). */
export const directStats = { direct: 0, fallback: 0 };

/** PUT bodies up to this size go direct; larger single PUTs keep the SDK (Expect: 100-continue). */
export const DIRECT_PUT_MAX = 8 * 1024 * 1024;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
}

interface Sender {
  handle(request: SignableRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: Response }>;
}

const COMMAND = { GET: 'GetObjectCommand', PUT: 'PutObjectCommand', HEAD: 'HeadObjectCommand' } as const;

class Direct {
  readonly routes = new Map<string, DirectRoute>();
  readonly observers: Array<(command: string, input: { Bucket: string; Key: string }) => void> = [];
  private readonly strikes = new Map<string, number>();
  private readonly signers = new Map<string, SignatureV4>();
  constructor(
    private readonly client: S3Client,
    private readonly sender: Sender,
  ) {}

  signer(region: string): SignatureV4 {
    let s = this.signers.get(region);
    if (!s) {
      const config = this.client.config as unknown as { credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials']; sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'] };
      s = new SignatureV4({ credentials: config.credentials, sha256: config.sha256, region, service: 's3', uriEscapePath: false, applyChecksum: false });
      this.signers.set(region, s);
    }
    return s;
  }

  /**
   * One direct request: `{ ok: true, response }` when `accept` takes the response; otherwise
   * (or on any failure) what came back is disposed of and `{ ok: false, sent }` tells whether a
   * request went out (so a caller can re-check what it checked before), and the SDK takes over.
   */
  async send(bucket: string, key: string, method: 'GET' | 'PUT' | 'HEAD', headers: Record<string, string>, accept: (r: Response) => boolean, body?: Buffer, signal?: AbortSignal): Promise<Sent> {
    const route = this.routes.get(bucket);
    // An empty key would address the bucket itself (a listing, HeadBucket): never ours to send.
    if (!route || !key || signal?.aborted) return NOT_SENT;
    let response: Response;
    let sent = false;
    try {
      const request: SignableRequest = {
        method,
        protocol: route.protocol,
        hostname: route.hostname,
        port: route.port,
        path: `${route.basePath}/${encodeKey(key)}`,
        query: {},
        headers: { ...headers, host: route.host, 'x-amz-content-sha256': body ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256 },
        body,
      };
      if (body) request.headers['content-length'] = String(body.length);
      const offset = (this.client.config as unknown as { systemClockOffset?: number }).systemClockOffset ?? 0;
      const signed = (await this.signer(route.region).sign(request as never, { signingDate: new Date(Date.now() + offset) })) as unknown as SignableRequest;
      sent = true;
      ({ response } = await this.sender.handle(signed, { abortSignal: signal }));
    } catch {
      directStats.fallback++;
      return sent ? SENT_FAILED : NOT_SENT;
    }
    const stream = typeof (response.body as Readable | undefined)?.on === 'function' ? (response.body as Readable) : null;
    if (accept(response) && (method !== 'GET' || stream)) {
      directStats.direct++;
      this.strikes.delete(bucket);
      for (const o of this.observers) {
        try {
          o(COMMAND[method], { Bucket: bucket, Key: key });
        } catch {
          // an observer's failure is not the request's
        }
      }
      return { ok: true, response };
    }
    const status = response.statusCode;
    // A redirect means the bucket lives elsewhere now; refusals that are not about one object
    // (signature, clock, credentials) repeated three times in a row mean the route or its signing
    // is wrong. Either way the SDK takes the calls until the next listing teaches the route again.
    if (status >= 300 && status < 400) this.routes.delete(bucket);
    else if (status >= 400 && status < 500 && ![404, 409, 412, 416, 429].includes(status)) {
      const n = (this.strikes.get(bucket) ?? 0) + 1;
      this.strikes.set(bucket, n);
      if (n >= 3) {
        this.routes.delete(bucket);
        this.strikes.delete(bucket);
      }
    }
    // A small error document is read to the end (the socket is reused); anything else — a
    // success we did not expect, a large or unsized body — is cut off.
    const length = Number(response.headers['content-length']);
    if (stream) {
      if (status >= 300 && Number.isFinite(length) && length <= 64 * 1024) stream.resume();
      else stream.destroy();
    }
    directStats.fallback++;
    return SENT_FAILED;
  }
}

type Response = { statusCode: number; headers: Record<string, string>; body?: unknown };
type Failed = { ok: false; sent: boolean };
type Sent = { ok: true; response: Response } | Failed;
const NOT_SENT: Failed = { ok: false, sent: false };
const SENT_FAILED: Failed = { ok: false, sent: true };

const registry = new WeakMap<S3Client, Direct>();

function enabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.S3LYNC_DIRECT !== '0';
}

/**
 * Lets `client` send direct requests: every successful ListObjectsV2 through it teaches the route
 * of its bucket. `handler` must be the client's own request handler (same sockets and timeouts).
 */
export function enableDirect(client: S3Client, handler: NodeHttpHandler): void {
  if (!enabled()) return;
  const direct = new Direct(client, handler as unknown as Sender);
  registry.set(client, direct);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const bucket = (args.input as { Bucket?: unknown }).Bucket;
      const status = (out.response as { statusCode?: number }).statusCode;
      if (context.commandName === 'ListObjectsV2Command' && typeof bucket === 'string' && status === 200) {
        const route = routeOf(args.request as SignableRequest);
        if (route) direct.routes.set(bucket, route);
      }
      return out;
    },
    { step: 'deserialize', name: 's3lyncLearnDirectRoute', priority: 'low' },
  );
}

/** Query parameters a ListObjectsV2 request has of its own; any other came with the endpoint. */
const LIST_QUERY = new Set(['list-type', 'prefix', 'continuation-token', 'start-after', 'max-keys', 'delimiter', 'encoding-type', 'fetch-owner', 'x-id']);

/**
 * The route a signed SDK listing request of a bucket shows; null when it cannot be reproduced
 * exactly (not SigV4 for s3, user info or a fragment in the endpoint, query parameters that came
 * with the endpoint, a path that does not end in the bucket's `/`).
 */
export function routeOf(request: {
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  username?: string;
  password?: string;
  fragment?: string;
}): DirectRoute | null {
  const headers = request.headers ?? {};
  const auth = headers.authorization ?? headers.Authorization ?? '';
  const region = /^AWS4-HMAC-SHA256 Credential=[^,]*\/\d{8}\/([^/,]+)\/s3\/aws4_request,/.exec(auth)?.[1];
  const host = headers.host ?? headers.Host;
  if (!region || !host || !request.hostname || !request.protocol || !request.path?.endsWith('/')) return null;
  if (request.protocol !== 'http:' && request.protocol !== 'https:') return null;
  if (request.username || request.password || request.fragment) return null;
  if (Object.keys(request.query ?? {}).some((k) => !LIST_QUERY.has(k))) return null;
  return { protocol: request.protocol, hostname: request.hostname, port: request.port, host, basePath: request.path.slice(0, -1), region };
}

/**
 * Direct requests off for this client: for callers (tests) that inject faults or delays through
 * SDK middleware, which direct requests never pass.
 */
export function disableDirect(client: S3Client): void {
  registry.delete(client);
}

/**
 * `fn` hears of every call answered directly, under the SDK command name it stands for (calls
 * repeated through the SDK pass its middleware instead), so request counts stay complete.
 */
export function observeDirect(client: S3Client, fn: (command: string, input: { Bucket: string; Key: string }) => void): void {
  registry.get(client)?.observers.push(fn);
}

/** The route learned for a bucket, if any (tests). */
export function directRoute(client: S3Client, bucket: string): DirectRoute | undefined {
  return registry.get(client)?.routes.get(bucket);
}

/** S3 key → URL path, as the SDK encodes it: each segment percent-encoded, `/` kept. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function metadataOf(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-amz-meta-')) out[k.slice(11)] = v;
  return out;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function date(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The fields of an object's response headers the engine reads, named as the SDK names them. */
export interface DirectObjectHeaders {
  ContentLength?: number;
  ContentRange?: string;
  ETag?: string;
  LastModified?: Date;
  Metadata: Record<string, string>;
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
  PartsCount?: number;
}

function objectHeaders(h: Record<string, string>): DirectObjectHeaders {
  return {
    ContentLength: num(h['content-length']),
    ContentRange: h['content-range'],
    ETag: h.etag,
    LastModified: date(h['last-modified']),
    Metadata: metadataOf(h),
    ServerSideEncryption: h['x-amz-server-side-encryption'],
    SSECustomerAlgorithm: h['x-amz-server-side-encryption-customer-algorithm'],
    PartsCount: num(h['x-amz-mp-parts-count']),
  };
}

/** What a direct call gave: the answer, or nothing (`sent`: a request went out) and the SDK's turn. */
export type DirectResult<T> = { ok: true; value: T } | Failed;

/** GET (optionally If-Match / Range). */
export async function directGet(
  client: S3Client,
  input: { Bucket: string; Key: string; IfMatch?: string; Range?: string },
  signal?: AbortSignal,
): Promise<DirectResult<DirectObjectHeaders & { Body: IncomingMessage }>> {
  const direct = registry.get(client);
  if (!direct) return NOT_SENT;
  const headers: Record<string, string> = {};
  if (input.IfMatch) headers['if-match'] = input.IfMatch;
  if (input.Range) headers.range = input.Range;
  const r = await direct.send(input.Bucket, input.Key, 'GET', headers, (res) => res.statusCode === 200 || (!!input.Range && res.statusCode === 206), undefined, signal);
  if (!r.ok) return r;
  return { ok: true, value: { ...objectHeaders(r.response.headers), Body: r.response.body as IncomingMessage } };
}

/** HEAD; `value` null: no such object (404 on a route a listing taught, as the SDK reports it). */
export async function directHead(client: S3Client, input: { Bucket: string; Key: string }, signal?: AbortSignal): Promise<DirectResult<DirectObjectHeaders | null>> {
  const direct = registry.get(client);
  if (!direct) return NOT_SENT;
  const r = await direct.send(input.Bucket, input.Key, 'HEAD', {}, (res) => res.statusCode === 200 || res.statusCode === 404, undefined, signal);
  if (!r.ok) return r;
  (r.response.body as Readable | undefined)?.resume?.();
  return { ok: true, value: r.response.statusCode === 404 ? null : objectHeaders(r.response.headers) };
}

/**
 * PUT of a whole small object with Content-MD5 and metadata. Only a 200 with an ETag and an empty
 * body counts: some servers answer 200 with an error document (the SDK turns that into a retry).
 */
export async function directPut(
  client: S3Client,
  input: { Bucket: string; Key: string; Body: Buffer; ContentMD5: string; Metadata: Record<string, string> },
  signal?: AbortSignal,
): Promise<DirectResult<DirectObjectHeaders>> {
  const direct = registry.get(client);
  if (!direct || input.Body.length > DIRECT_PUT_MAX) return NOT_SENT;
  const headers: Record<string, string> = { 'content-md5': input.ContentMD5, 'content-type': 'application/octet-stream' };
  for (const [k, v] of Object.entries(input.Metadata)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
  const accept = (res: Response) => res.statusCode === 200 && !!res.headers.etag && (res.headers['content-length'] ?? '0') === '0' && !res.headers['transfer-encoding'];
  const r = await direct.send(input.Bucket, input.Key, 'PUT', headers, accept, input.Body, signal);
  if (!r.ok) return r;
  (r.response.body as Readable | undefined)?.resume?.();
  return { ok: true, value: objectHeaders(r.response.headers) };
}
