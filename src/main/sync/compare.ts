// Equality of a local file and an S3 object. Decided by MD5 whenever it can be known: the ETag of
// a single-part object, our own `s3lync-md5` metadata, rclone's `md5chksum`, or the multipart
// composite ETag recomputed locally. Only when none of these can decide does it fall back to
// size + modification time, and it says so. Never "equal" by default (seed defect 1).
import type { Direction } from '../../shared/plan';
import type { HashCache } from './hash-cache';
import type { LocalFile } from './local-scan';
import { candidatePartSizes, isPlainMd5, multipartCount } from './md5';
import type { RemoteKnowledge } from './remote-cache';
import type { HeadResult, RemoteObject } from './s3';
import { declaredPartSize, encryptedEtag, statedMd5Of } from './transfer';

export interface Verdict {
  equal: boolean;
  reason: string;
  /** Set when MD5 could not decide and size + mtime did. */
  fallback?: string;
}

export interface CompareEnv {
  cache: HashCache;
  knowledge: RemoteKnowledge;
  head: (key: string, partNumber?: number) => Promise<HeadResult | null>;
  direction: Direction;
  /** false: compare size and modification time only (no hashing), like `aws s3 sync`. */
  checkHash: boolean;
}

function byTime(local: LocalFile, remote: RemoteObject, direction: Direction, why: string): Verdict {
  const l = Math.floor(local.mtimeMs / 1000);
  const r = Math.floor(remote.lastModified / 1000);
  if (direction === 'sync') {
    // Two-way: no side is "the source"; same size and same second count as the same file.
    return { equal: l === r, reason: l === r ? 'same size and time' : `different modification times (${why}; compared size and time)`, fallback: why };
  }
  const newer = direction === 'push' ? l > r : r > l;
  return {
    equal: !newer,
    reason: newer ? `${direction === 'push' ? 'local file' : 'S3 object'} is newer (${why}; compared size and time)` : 'same size and not newer',
    fallback: why,
  };
}

/** The verdict of a multipart ETag recomputed from the local file. */
function byComposite(equal: boolean): Verdict {
  return equal ? { equal, reason: 'same multipart ETag (recomputed locally)' } : { equal, reason: 'content differs (multipart ETag recomputed locally)' };
}

function verdict(localMd5: string, remoteMd5: string, how: string): Verdict {
  return localMd5 === remoteMd5 ? { equal: true, reason: `same MD5 (${how})` } : { equal: false, reason: `content differs (MD5, ${how})` };
}

/**
 * The verdict `compareFiles` gives when it needs neither hashing nor a request — most files of a
 * re-sync, decided from the caches — else undefined. Synchronous: 10,000 of them cost no awaits.
 */
export function quickVerdict(local: LocalFile, remote: RemoteObject, env: CompareEnv): Verdict | undefined {
  if (local.size !== remote.size) {
    return { equal: false, reason: `size differs (local ${local.size} B, S3 ${remote.size} B)` };
  }
  if (!env.checkHash) return byTime(local, remote, env.direction, 'hash check turned off');
  const known = env.knowledge.md5For(remote.key, remote.etag);
  if (known) {
    const cached = env.cache.cached(local.rel, local);
    return cached && verdict(cached.md5, known, 'remembered');
  }
  if (isPlainMd5(remote.etag)) {
    return env.cache.cached(local.rel, local)?.md5 === remote.etag ? { equal: true, reason: 'same MD5 (ETag)' } : undefined;
  }
  const remembered = multipartCount(remote.etag) && env.knowledge.partSizeFor(remote.key, remote.etag);
  if (remembered) {
    const cached = env.cache.cached(local.rel, local, [remembered], false);
    return cached && byComposite(cached.composite[remembered] === remote.etag);
  }
  return undefined;
}

export async function compareFiles(local: LocalFile, remote: RemoteObject, env: CompareEnv): Promise<Verdict> {
  const quick = quickVerdict(local, remote, env);
  if (quick) return quick;

  const md5 = async (): Promise<string> => (await env.cache.get(local.rel, local.abs, local)).md5;

  const known = env.knowledge.md5For(remote.key, remote.etag);
  if (known) return verdict(await md5(), known, 'remembered');

  const parts = multipartCount(remote.etag);
  if (isPlainMd5(remote.etag)) {
    // Read before hashing replaces it: the MD5 this file had when last hashed or transferred.
    const before = env.cache.lastMd5(local.rel);
    const localMd5 = await md5();
    if (localMd5 === remote.etag) return { equal: true, reason: 'same MD5 (ETag)' };
    // An ETag equal to the MD5 of content this file once had is an MD5: the file has changed.
    if (before === remote.etag) return { equal: false, reason: 'content differs (MD5, ETag)' };
    // The ETag might not be an MD5 at all (SSE-KMS, SSE-C): ask the object before calling it
    // different. Only then may metadata decide; an MD5 ETag outranks a possibly stale metadata MD5.
    const head = await env.head(remote.key);
    if (!head) return { equal: false, reason: 'content differs (MD5, ETag)' };
    if (encryptedEtag(head.encryption)) {
      const stated = statedMd5Of(head.metadata);
      if (stated) {
        env.knowledge.learn(remote.key, remote.etag, stated);
        return verdict(localMd5, stated, 'metadata');
      }
      return byTime(local, remote, env.direction, `the ETag of an ${head.encryption}-encrypted object is not its MD5`);
    }
    return { equal: false, reason: 'content differs (MD5, ETag)' };
  }

  if (parts) {
    // A composite ETag that verified this object before (a download) names its part size: no HEAD.
    const remembered = env.knowledge.partSizeFor(remote.key, remote.etag);
    if (remembered) {
      const hashes = await env.cache.get(local.rel, local.abs, local, [remembered], false);
      return byComposite(hashes.composite[remembered] === remote.etag);
    }
    const head = await env.head(remote.key);
    if (!head) return { equal: false, reason: 'the object vanished from S3 during the scan' };
    const stated = statedMd5Of(head.metadata);
    if (stated) {
      env.knowledge.learn(remote.key, remote.etag, stated);
      return verdict(await md5(), stated, 'metadata');
    }
    const declared = declaredPartSize(head.metadata, remote.size, parts);
    const candidates = declared ? [declared] : candidatePartSizes(remote.size, parts);
    const hashes = await env.cache.get(local.rel, local.abs, local, candidates, false);
    const match = candidates.find((p) => hashes.composite[p] === remote.etag);
    if (match) {
      env.knowledge.learn(remote.key, remote.etag, hashes.md5, match);
      return byComposite(true);
    }
    if (declared) return byComposite(false);
    const exact = await env.head(remote.key, 1).then((h) => partSizeFromHead(h, remote.size, parts)).catch(() => undefined);
    if (exact && !candidates.includes(exact)) {
      const again = await env.cache.get(local.rel, local.abs, local, [exact], false);
      if (again.composite[exact] === remote.etag) {
        env.knowledge.learn(remote.key, remote.etag, again.md5, exact);
        return byComposite(true);
      }
      return byComposite(false);
    }
    if (exact) return byComposite(false);
    return byTime(local, remote, env.direction, 'the multipart ETag has an unknown part size');
  }

  return byTime(local, remote, env.direction, `the ETag "${remote.etag}" is not an MD5`);
}

/** The part size a `HEAD ?partNumber=1` reveals, when the server really answered for part 1. */
export function partSizeFromHead(h: HeadResult | null, size: number, parts: number): number | undefined {
  if (!h || h.size <= 0) return undefined;
  if (h.partsCount === parts) return h.size;
  if (h.partsCount === undefined && h.size < size && Math.ceil(size / h.size) === parts) return h.size;
  return undefined;
}
