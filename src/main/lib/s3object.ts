// The library API: the seed's S3Object in TypeScript, on the same engine as the CLI and the app.
//
//   const obj = new S3Object('s3://bucket/path/file.txt', { localPath: './file.txt' });
//   await obj.download();            // verified, only when changed
//   await obj.upload();
//   await using f = await obj.open('a');  await f.write('more\n');   // uploads on dispose
//   await obj.open('w', async (f) => { await f.write('all or nothing'); }); // no upload if it throws
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { SyncResult } from '../../shared/progress';
import { S3ObjectError, S3lyncError, SyncError } from '../sync/errors';
import { SyncEngine, type EngineOptions } from '../sync/engine';
import { failureCause } from '../sync/executor';
import { unsafeReason } from '../sync/paths';
import { defaultCacheDir } from '../sync/store';
import { parseS3Uri } from '../sync/uri';

export interface S3ObjectOptions extends EngineOptions {
  /** Local file or folder; default $XDG_CACHE_HOME/s3lync/<bucket>/<key>. */
  localPath?: string;
}

export interface TransferOptions {
  /** Compare by MD5 (default). false: by size and modification time. Transfers are always verified. */
  checkHash?: boolean;
  /** Make the target identical to the source, deleting extras (local ones go to the trash). */
  forceSync?: boolean;
  /** Regular expressions over paths relative to the folder. */
  exclude?: string | readonly string[];
  /** With forceSync: deletions allowed past the safety guard. */
  maxDelete?: number;
}

const READ_FIRST = new Set(['r', 'rb', 'r+', 'rb+', 'r+b', 'a', 'ab', 'a+', 'ab+', 'a+b']);
const WRITES = /[wa+]/;

export class S3Object {
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  private readonly engineOptions: EngineOptions;
  private readonly explicitLocal?: string;

  constructor(uri: string, options: S3ObjectOptions = {}) {
    const { bucket, key } = parseS3Uri(uri);
    this.uri = uri;
    this.bucket = bucket;
    this.key = key;
    const { localPath, ...engineOptions } = options;
    this.explicitLocal = localPath;
    this.engineOptions = engineOptions;
    if (!localPath) {
      const trimmed = key.replace(/\/$/, '');
      const why = trimmed ? unsafeReason(trimmed) : null;
      if (why) throw new S3ObjectError(`The key "${key}" cannot be used as a path in the cache folder: ${why}. Pass localPath.`);
    }
  }

  /** Where the local copy lives. */
  get localPath(): string {
    if (this.explicitLocal) return path.resolve(this.explicitLocal);
    const trimmed = this.key.replace(/\/$/, '');
    return path.join(defaultCacheDir(), this.bucket, ...(trimmed ? trimmed.split('/') : []));
  }

  private async withEngine<T>(fn: (e: SyncEngine) => Promise<T>): Promise<T> {
    const engine = new SyncEngine(this.engineOptions);
    try {
      return await fn(engine);
    } finally {
      engine.close();
    }
  }

  /** Downloads the object (or every object under the prefix); returns the local path. */
  async download(options: TransferOptions = {}): Promise<string> {
    await this.transfer('pull', options);
    return this.localPath;
  }

  /** Uploads the local file (or folder); returns the S3 URI. */
  async upload(options: TransferOptions = {}): Promise<string> {
    await this.transfer('push', options);
    return this.uri;
  }

  private async transfer(direction: 'push' | 'pull', options: TransferOptions): Promise<void> {
    await this.withEngine(async (e) =>
      raiseFailures(
        await e.sync({
          direction,
          remote: this.uri,
          localPath: this.localPath,
          mirror: options.forceSync,
          exclude: toList(options.exclude),
          checkHash: options.checkHash,
          maxDelete: options.maxDelete,
        }),
      ),
    );
  }

  /** True when the object, or at least one object under the prefix, exists. Errors are thrown, never read as "missing". */
  async exists(): Promise<boolean> {
    return this.withEngine(async (e) => (await e.exists(this.uri)) !== null);
  }

  /** Deletes the object or every object under the prefix; false when there was nothing. */
  async delete(): Promise<boolean> {
    return this.withEngine(async (e) => {
      if ((await e.exists(this.uri)) === null) return false;
      const r = await e.remove(this.uri);
      if (r.failures.length) {
        throw new SyncError(`${r.failures.length} of ${r.keys.length} objects could not be deleted; first: ${r.failures[0].key}: ${r.failures[0].message}`);
      }
      return true;
    });
  }

  /**
   * Opens the local copy. Read and append modes download first (append keeps the current
   * content: seed defect 8). Write modes upload when the handle is disposed (`await using`) or
   * closed with commit(). With a callback, the upload happens only when the callback succeeds.
   * JavaScript does not tell a disposed resource whether its block threw, so with `await using`
   * call `f.discard()` in your catch, or prefer the callback form.
   */
  async open(mode?: string): Promise<S3File>;
  async open<T>(mode: string, fn: (f: S3File) => Promise<T>): Promise<T>;
  async open<T>(mode = 'r', fn?: (f: S3File) => Promise<T>): Promise<S3File | T> {
    if (!/^[rwax][b+x]*$/.test(mode)) throw new S3ObjectError(`"${mode}" is not a file mode (use r, w, a, r+, w+, a+, with an optional b).`);
    const local = this.localPath;
    if (READ_FIRST.has(mode)) {
      const optionalRemote = mode.startsWith('a');
      if (!optionalRemote || (await this.exists())) await this.download();
    }
    await fs.mkdir(path.dirname(local), { recursive: true });
    const handle = await fs.open(local, mode);
    const file = new S3File(this, handle, WRITES.test(mode));
    if (!fn) return file;
    let result: T;
    try {
      result = await fn(file);
    } catch (err) {
      await file.discard();
      throw err;
    }
    await file.commit();
    return result;
  }
}

/** An open local copy; uploads on dispose or commit() when opened for writing. */
export class S3File {
  private closed = false;
  constructor(
    readonly object: S3Object,
    readonly handle: FileHandle,
    readonly writable: boolean,
  ) {}

  get path(): string {
    return this.object.localPath;
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data === 'string') await this.handle.write(data);
    else await this.handle.write(data);
  }

  async readText(encoding: BufferEncoding = 'utf8'): Promise<string> {
    return this.handle.readFile({ encoding });
  }

  /** Closes the file and, in a write mode, uploads it. */
  async commit(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
    if (this.writable) await this.object.upload();
  }

  /** Closes the file without uploading (the local copy keeps what was written). */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.commit();
  }
}

function toList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined || v === '') return [];
  return typeof v === 'string' ? [v] : [...v];
}

/** Turns a result with failures into the error a library caller expects (the first one, as itself). */
function raiseFailures(result: SyncResult): void {
  if (result.failed.length) {
    const first = result.failed[0];
    const cause = failureCause.get(first);
    if (cause instanceof S3lyncError && result.failed.length === 1) throw cause;
    const err = cause instanceof S3lyncError ? cause : new SyncError(first.message, { cause });
    if (result.failed.length > 1) err.message = `${result.failed.length} files failed; first: ${first.operation.path}: ${err.message}`;
    throw err;
  }
  if (result.deletionsHeld) throw new SyncError(result.heldReason ?? 'Deletions were held back.');
}
