// The one S3 client factory and the thin, error-checked calls the engine makes. Settings here are
// the ones that work with S3-compatible stores: no default CRC checksums or aws-chunked bodies,
// Content-MD5 added to DeleteObjects (Swift's s3api requires it), keep-alive sockets.
import {
  S3Client,
  ListObjectsV2Command,
  HeadObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectCommand,
  type ListObjectsV2CommandInput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseListPage, type FastPage } from './list-xml';
import { SyncError, httpStatus } from './errors';
import { cleanEtag } from './md5';
import { compactMemory } from './memory';
import { directHead, enableDirect } from './direct';

export interface ConnectionOptions {
  region?: string;
  /** Custom endpoint for S3-compatible stores; else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL. */
  endpoint?: string;
  pathStyle?: boolean;
  /** Named profile from the shared config/credentials files. */
  profile?: string;
  /** Explicit credentials (the app's stored profiles); else the AWS default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request for throttling, 5xx and network errors (4xx are never retried). */
  maxAttempts?: number;
  /** Sockets to keep open; defaults to generous for parallel transfers. */
  maxSockets?: number;
  /** A request whose socket is silent this long is abandoned and retried (default 120 s). */
  requestTimeoutMs?: number;
}

export function resolveEndpoint(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

// The SDK warns on every start that its 2027 releases will need Node 22; we pin a release that
// supports Node 20, so the warning only confuses users of the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function createS3Client(opts: ConnectionOptions = {}): S3Client {
  const endpoint = resolveEndpoint(opts);
  const maxSockets = opts.maxSockets ?? 64;
  const handler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 10_000,
    // The socket timeout abandons a request (or a body mid-stream) whose socket stays silent, so
    // the retry logic can take over. (The handler's requestTimeout only prints a warning.)
    socketTimeout: opts.requestTimeoutMs ?? 120_000,
  });
  const config: S3ClientConfig = {
    endpoint,
    forcePathStyle: opts.pathStyle ?? false,
    maxAttempts: opts.maxAttempts ?? 6,
    retryMode: 'standard',
    followRegionRedirects: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: handler,
  };
  const region = opts.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (region) config.region = region;
  else if (endpoint) config.region = 'us-east-1'; // S3-compatible stores rarely care
  if (opts.profile) config.profile = opts.profile;
  if (opts.credentials) config.credentials = opts.credentials;
  const client = new S3Client(config);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectsCommand') {
        const request = args.request as { headers: Record<string, string>; body?: unknown };
        const body = request.body;
        if (typeof body === 'string' || body instanceof Uint8Array) {
          for (const h of Object.keys(request.headers)) {
            if (h.toLowerCase().startsWith('x-amz-checksum-') || h.toLowerCase() === 'x-amz-sdk-checksum-algorithm') delete request.headers[h];
          }
          request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
        }
      }
      return next(args);
    },
    { step: 'build', name: 's3lyncContentMd5ForDeleteObjects', priority: 'low' },
  );
  enableDirect(client, handler);
  return client;
}

export interface RemoteObject {
  key: string;
  size: number;
  /** Lower-case, unquoted. */
  etag: string;
  lastModified: number;
}

/** S3 orders keys by their UTF-8 bytes (not by JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Every object under `prefix`, across all pages, sorted by key, folder markers (keys ending in
 * `/`) left out. A page that claims more but gives no token is an error, never "the end".
 *
 * With `boundaries` (sorted keys expected to exist, e.g. from the local scan), the key space is
 * cut into ranges listed in parallel — range i holds the keys in (b[i-1], b[i]] — so a large
 * prefix is listed in the time of a few pages instead of one page after another.
 */
export async function listAll(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  includeFolderMarkers = false,
  boundaries: string[] = [],
): Promise<RemoteObject[]> {
  const cuts = [...new Set(boundaries.filter((b) => b.startsWith(prefix)))].sort(compareKeys);
  const ranges: Array<[string | undefined, string | undefined]> = [];
  let from: string | undefined;
  for (const cut of cuts) {
    ranges.push([from, cut]);
    from = cut;
  }
  ranges.push([from, undefined]);
  // A long listing leaves parsed pages behind faster than V8 collects them: tidy up as it goes.
  let pages = 0;
  const onPage = () => {
    if (++pages % 16 === 0) compactMemory();
  };
  const parts = await Promise.all(ranges.map(([after, upTo]) => listRange(client, bucket, prefix, after, upTo, signal, includeFolderMarkers, onPage)));
  const byKey = new Map<string, RemoteObject>();
  for (const part of parts) for (const o of part) byKey.set(o.key, o);
  const out = [...byKey.values()];
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** Keys after `after` (exclusive) up to `upTo` (inclusive; undefined: to the end). */
async function listRange(
  client: S3Client,
  bucket: string,
  prefix: string,
  after: string | undefined,
  upTo: string | undefined,
  signal: AbortSignal | undefined,
  includeFolderMarkers: boolean,
  onPage: () => void,
): Promise<RemoteObject[]> {
  const out: RemoteObject[] = [];
  let token: string | undefined;
  const seenTokens = new Set<string>();
  const limit = upTo === undefined ? null : Buffer.from(upTo, 'utf8');
  for (;;) {
    const page = await listPage(client, { Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token, StartAfter: token ? undefined : after, MaxKeys: 1000 }, signal);
    onPage();
    let passed = false;
    for (const o of page.contents) {
      if (limit && Buffer.compare(Buffer.from(o.key, 'utf8'), limit) > 0) {
        passed = true;
        break;
      }
      if (o.key.endsWith('/') && !includeFolderMarkers) continue;
      out.push({ key: o.key, size: o.size, etag: cleanEtag(o.etag), lastModified: o.lastModified });
    }
    if (passed || !page.isTruncated) break;
    token = page.nextContinuationToken;
    if (!token || seenTokens.has(token)) {
      throw new SyncError(`The S3 server returned an incomplete listing of s3://${bucket}/${prefix} (a page said more keys follow but gave no way to fetch them). Nothing was changed.`);
    }
    seenTokens.add(token);
  }
  return out;
}

/**
 * One ListObjectsV2 page. The response body is read by our strict page reader (list-xml.ts);
 * only if it declines does the SDK parse the page. Errors and retries stay the SDK's.
 */
async function listPage(client: S3Client, input: ListObjectsV2CommandInput, signal: AbortSignal | undefined): Promise<FastPage> {
  const command = new ListObjectsV2Command(input);
  let fast: FastPage | null = null;
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      fast = null;
      const response = out.response as { statusCode?: number; body?: unknown };
      if (response.statusCode === 200 && response.body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks);
        fast = parseListPage(raw.toString('utf8'));
        // Understood: the SDK gets an empty page to parse. Not understood: the real bytes.
        response.body = Readable.from([fast ? EMPTY_PAGE : raw]);
      }
      return out;
    },
    { step: 'deserialize', name: 's3lyncFastListPage', priority: 'low' },
  );
  const page = await client.send(command, { abortSignal: signal });
  if (fast) {
    listPageStats.fast++;
    return fast;
  }
  listPageStats.sdk++;
  return {
    contents: (page.Contents ?? [])
      .filter((o) => o.Key)
      .map((o) => ({ key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? '', lastModified: o.LastModified?.getTime() ?? 0 })),
    isTruncated: page.IsTruncated === true,
    nextContinuationToken: page.NextContinuationToken,
  };
}

/** Pages read by our reader vs. left to the SDK (tests and the benchmark look at this). */
export const listPageStats = { fast: 0, sdk: 0 };

const EMPTY_PAGE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult></ListBucketResult>');

export interface HeadResult {
  size: number;
  etag: string;
  lastModified: number;
  metadata: Record<string, string>;
  /** 'aws:kms', 'AES256', or 'SSE-C' when a customer key was used. */
  encryption?: string;
  partsCount?: number;
}

/** HEAD an object; null when it does not exist. Access denied and other errors are thrown. */
export async function headObject(client: S3Client, bucket: string, key: string, partNumber?: number): Promise<HeadResult | null> {
  try {
    const direct = partNumber === undefined ? await directHead(client, { Bucket: bucket, Key: key }) : null;
    if (direct?.ok && direct.value === null) return null;
    const r = (direct?.ok && direct.value) || (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: partNumber })));
    return {
      size: r.ContentLength ?? 0,
      etag: cleanEtag(r.ETag),
      lastModified: r.LastModified?.getTime() ?? 0,
      metadata: lowerKeys(r.Metadata ?? {}),
      encryption: r.SSECustomerAlgorithm ? 'SSE-C' : r.ServerSideEncryption,
      partsCount: r.PartsCount,
    };
  } catch (err) {
    const status = httpStatus(err);
    const name = (err as Error).name;
    if (status === 404 || name === 'NotFound' || name === 'NoSuchKey') {
      // HEAD has no body, so a missing bucket also looks like 404: callers that need the
      // difference list the bucket (which says NoSuchBucket).
      return null;
    }
    throw err;
  }
}

export function lowerKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k.toLowerCase()] = v;
  return out;
}

/** True when at least one object (not a folder marker) exists under `prefix`. */
export async function prefixHasObjects(client: S3Client, bucket: string, prefix: string): Promise<boolean> {
  let token: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token, MaxKeys: 1000 }));
    if ((page.Contents ?? []).some((o) => o.Key && !o.Key.endsWith('/'))) return true;
    if (!page.IsTruncated || !page.NextContinuationToken) return false;
    token = page.NextContinuationToken;
  }
}

export interface DeleteFailure {
  key: string;
  message: string;
}

/** Deletes keys in batches of at most 1000, reporting every key the server refused. */
export async function deleteKeys(
  client: S3Client,
  bucket: string,
  keys: string[],
  onDeleted?: (key: string) => void,
): Promise<DeleteFailure[]> {
  const failures: DeleteFailure[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    if (batch.length === 1) {
      // One key: a plain DELETE is simpler for every server.
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: batch[0] }));
        onDeleted?.(batch[0]);
      } catch (err) {
        failures.push({ key: batch[0], message: (err as Error).message });
      }
      continue;
    }
    const r = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false } }),
    );
    const failed = new Set<string>();
    for (const e of r.Errors ?? []) {
      if (!e.Key) continue;
      failed.add(e.Key);
      failures.push({ key: e.Key, message: `${e.Code ?? 'Error'}: ${e.Message ?? 'refused by the server'}` });
    }
    const deleted = new Set((r.Deleted ?? []).map((d) => d.Key));
    for (const k of batch) {
      if (failed.has(k)) continue;
      if (deleted.has(k) || deleted.size === 0) onDeleted?.(k);
      else failures.push({ key: k, message: 'the server did not confirm the deletion' });
    }
  }
  return failures;
}
