// Direct requests: the hot per-object calls of a sync (small PUTs, GETs, HEADs) signed with the
// SDK's own SigV4 signer and sent through the client's own HTTP handler, without the SDK's
// per-command machinery (middleware stack, endpoint rules, schema serde, retry bookkeeping).
// Measured here: ~1.3 ms of CPU per request with the SDK, ~0.3 ms direct; on a machine whose
// cores the S3 server shares, that CPU is what small-file transfers wait for.
//
// Only the happy path is ours. The route (endpoint, path, Host, signing region) is the one the SDK
// itself used for a successful listing of that bucket, so endpoint rules, path-style, custom
// endpoints and region redirects stay the SDK's. Any answer other than the expected success (an
// error status, a redirect, a network failure, a body-less reply) returns `null` and the caller
// repeats the call through the SDK, whose retries, clock-skew correction and error messages remain
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
  handle(request: SignableRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: { statusCode: number; headers: Record<string, string>; body?: unknown } }>;
}

const COMMAND = { GET: 'GetObjectCommand', PUT: 'PutObjectCommand', HEAD: 'HeadObjectCommand' } as const;

class Direct {
  readonly routes = new Map<string, DirectRoute>();
  readonly observers: Array<(command: string, input: { Bucket: string; Key: string }) => void> = [];
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
   * One direct request. Resolves to the response when its status is one of `ok`; otherwise (or
   * on any failure) consumes what came back and resolves to null, and the caller uses the SDK.
   */
  async send(bucket: string, key: string, method: 'GET' | 'PUT' | 'HEAD', headers: Record<string, string>, ok: number[], body?: Buffer, signal?: AbortSignal) {
    const route = this.routes.get(bucket);
    if (!route || signal?.aborted) return null;
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
    let response: { statusCode: number; headers: Record<string, string>; body?: unknown };
    try {
      const offset = (this.client.config as unknown as { systemClockOffset?: number }).systemClockOffset ?? 0;
      const signed = (await this.signer(route.region).sign(request as never, { signingDate: new Date(Date.now() + offset) })) as unknown as SignableRequest;
      ({ response } = await this.sender.handle(signed, { abortSignal: signal }));
    } catch {
      directStats.fallback++;
      return null;
    }
    const streamed = typeof (response.body as Readable | undefined)?.on === 'function';
    if (ok.includes(response.statusCode) && (method !== 'GET' || streamed)) {
      directStats.direct++;
      for (const o of this.observers) o(COMMAND[method], { Bucket: bucket, Key: key });
      return response;
    }
    // Redirected, refused or not understood: this route may be wrong (a bucket moved region, a
    // key our encoding disagrees on); the SDK takes the call, and the next listing re-learns.
    if (response.statusCode < 500 && response.statusCode !== 404 && response.statusCode !== 412 && response.statusCode !== 429) this.routes.delete(bucket);
    if (streamed) (response.body as Readable).resume();
    directStats.fallback++;
    return null;
  }
}

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

/** The route a signed SDK listing request of a bucket shows; null when it cannot be used. */
export function routeOf(request: { protocol?: string; hostname?: string; port?: number; path?: string; headers?: Record<string, string> }): DirectRoute | null {
  const headers = request.headers ?? {};
  const auth = headers.authorization ?? headers.Authorization ?? '';
  const region = /^AWS4-HMAC-SHA256 Credential=[^,]*\/\d{8}\/([^/,]+)\/s3\/aws4_request,/.exec(auth)?.[1];
  const host = headers.host ?? headers.Host;
  if (!region || !host || !request.hostname || !request.protocol || !request.path?.endsWith('/')) return null;
  if (request.protocol !== 'http:' && request.protocol !== 'https:') return null;
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

/** GET (optionally If-Match / Range); null: use the SDK. */
export async function directGet(
  client: S3Client,
  input: { Bucket: string; Key: string; IfMatch?: string; Range?: string },
  signal?: AbortSignal,
): Promise<(DirectObjectHeaders & { Body: Readable }) | null> {
  const direct = registry.get(client);
  if (!direct) return null;
  const headers: Record<string, string> = {};
  if (input.IfMatch) headers['if-match'] = input.IfMatch;
  if (input.Range) headers.range = input.Range;
  const response = await direct.send(input.Bucket, input.Key, 'GET', headers, input.Range ? [200, 206] : [200], undefined, signal);
  if (!response) return null;
  return { ...objectHeaders(response.headers), Body: response.body as IncomingMessage };
}

/** HEAD; null: use the SDK (also for "not found", which the SDK reports in its own way). */
export async function directHead(client: S3Client, input: { Bucket: string; Key: string }, signal?: AbortSignal): Promise<DirectObjectHeaders | null> {
  const direct = registry.get(client);
  if (!direct) return null;
  const response = await direct.send(input.Bucket, input.Key, 'HEAD', {}, [200], undefined, signal);
  if (!response) return null;
  (response.body as Readable | undefined)?.resume?.();
  return objectHeaders(response.headers);
}

/** PUT of a whole small object with Content-MD5 and metadata; null: use the SDK. */
export async function directPut(
  client: S3Client,
  input: { Bucket: string; Key: string; Body: Buffer; ContentMD5: string; Metadata: Record<string, string> },
  signal?: AbortSignal,
): Promise<DirectObjectHeaders | null> {
  const direct = registry.get(client);
  if (!direct || input.Body.length > DIRECT_PUT_MAX) return null;
  const headers: Record<string, string> = { 'content-md5': input.ContentMD5, 'content-type': 'application/octet-stream' };
  for (const [k, v] of Object.entries(input.Metadata)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
  const response = await direct.send(input.Bucket, input.Key, 'PUT', headers, [200], input.Body, signal);
  if (!response) return null;
  (response.body as Readable | undefined)?.resume?.();
  return objectHeaders(response.headers);
}
