// Multipart uploads in progress, remembered in the data directory so that an upload interrupted
// by a quit, a crash or a network loss continues from its completed parts next time (ListParts,
// each part re-checked against the file) instead of starting over. Uploads whose file changed,
// or that are older than a week, are aborted so no orphan parts linger on the server.
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { httpStatus } from './errors';
import { cleanEtag } from './md5';
import { readJson, stableId, writeFileAtomic } from './store';

const STALE_MS = 7 * 86_400_000;

export interface PendingUpload {
  bucket: string;
  key: string;
  /** '' while the upload is being created: written first, so a crash never leaves an upload we do not know of. */
  uploadId: string;
  partSize: number;
  size: number;
  mtimeMs: number;
  ino: number;
  md5: string;
  createdAt: number;
}

export class UploadJournal {
  constructor(
    private readonly dir: string,
    private readonly endpoint: string,
  ) {}

  private file(bucket: string, key: string): string {
    return path.join(this.dir, `${stableId(this.endpoint, bucket, key)}.json`);
  }

  async find(bucket: string, key: string): Promise<PendingUpload | null> {
    const p = await readJson<PendingUpload>(this.file(bucket, key));
    return p && p.bucket === bucket && p.key === key && typeof p.uploadId === 'string' ? p : null;
  }

  async save(p: PendingUpload): Promise<void> {
    await writeFileAtomic(this.file(p.bucket, p.key), JSON.stringify(p));
  }

  async remove(bucket: string, key: string): Promise<void> {
    await fs.rm(this.file(bucket, key), { force: true });
  }

  /** Parts the server already holds for this upload (number -> ETag), or null when the upload is gone. */
  async listParts(client: S3Client, p: PendingUpload): Promise<Map<number, { etag: string; size: number }> | null> {
    const parts = new Map<number, { etag: string; size: number }>();
    let marker: string | undefined;
    try {
      for (;;) {
        const r = await client.send(new ListPartsCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumberMarker: marker }));
        for (const part of r.Parts ?? []) {
          if (part.PartNumber) parts.set(part.PartNumber, { etag: cleanEtag(part.ETag), size: part.Size ?? 0 });
        }
        if (!r.IsTruncated || !r.NextPartNumberMarker) break;
        marker = String(r.NextPartNumberMarker);
      }
      return parts;
    } catch (err) {
      if (httpStatus(err) === 404 || (err as Error).name === 'NoSuchUpload') return null;
      throw err;
    }
  }

  async abort(client: S3Client, p: PendingUpload): Promise<void> {
    await client.send(new AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId })).catch(() => undefined);
    await this.remove(p.bucket, p.key);
  }

  /** Aborts every unfinished upload of the entry's key on the server (ours, or one a crash hid from us). */
  async abortAllFor(client: S3Client, p: PendingUpload, except?: string): Promise<void> {
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const r = await client
        .send(new ListMultipartUploadsCommand({ Bucket: p.bucket, Prefix: p.key, KeyMarker: keyMarker, UploadIdMarker: idMarker }))
        .catch(() => null);
      if (!r) break;
      for (const u of r.Uploads ?? []) {
        if (u.Key === p.key && u.UploadId && u.UploadId !== except) {
          await client.send(new AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: u.UploadId })).catch(() => undefined);
        }
      }
      if (!r.IsTruncated) break;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
    }
    if (!except) await this.remove(p.bucket, p.key);
  }

  /**
   * After a run: uploads under `prefix` that this run did not leave to resume (the file was
   * uploaded, or is no longer to be) are aborted on the server and forgotten.
   */
  async sweep(client: S3Client, bucket: string, prefix: string, resumable: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = await readJson<PendingUpload>(path.join(this.dir, name));
      if (!p || p.bucket !== bucket || !p.key.startsWith(prefix) || resumable.has(p.key)) continue;
      await this.abortAllFor(client, p);
    }
  }

  /** Aborts uploads left for more than a week. */
  async pruneStale(client: S3Client, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    let n = 0;
    for (const name of names) {
      const p = await readJson<PendingUpload>(path.join(this.dir, name));
      if (!p) {
        await fs.rm(path.join(this.dir, name), { force: true });
        continue;
      }
      if (now - p.createdAt > STALE_MS) {
        await this.abort(client, p);
        n++;
      }
    }
    return n;
  }
}
