// MD5 on the second core. Large transfers hash hundreds of megabytes; doing that on the main
// thread puts it in series with receiving, sending and writing. An OffThreadHasher streams the
// same whole-file MD5 and composite ETags as StreamingHasher (md5.ts), computed by one shared
// worker thread. Each chunk's memory is handed to the worker and handed back (transferred, not
// copied, never shared), so it is owned by one thread at a time and freed like any buffer.
//
// The worker's source is inline so it runs the same from plain Node (CLI, tests) and from the
// app's bundled main process (where md5.ts has no file of its own to load); its composite logic
// repeats md5.ts's CompositeHasher line for line, and the tests check both give the same hashes. When a worker cannot be started, hashing falls back to the caller's
// thread: slower, never different.
import * as fs from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { MiB, StreamingHasher, type FileHashes } from './md5';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
class Composite {
  constructor(partSize) { this.partSize = partSize; this.digests = []; this.part = createHash('md5'); this.inPart = 0; }
  update(chunk) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) { this.digests.push(this.part.digest()); this.part = createHash('md5'); this.inPart = 0; }
    }
  }
  digest() {
    if (this.inPart > 0 || this.digests.length === 0) this.digests.push(this.part.digest());
    return createHash('md5').update(Buffer.concat(this.digests)).digest('hex') + '-' + this.digests.length;
  }
}
const streams = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'open') {
      streams.set(m.id, { whole: createHash('md5'), size: 0, composites: m.partSizes.map((p) => new Composite(p)) });
      return;
    }
    const s = streams.get(m.id);
    if (m.op === 'update') {
      const chunk = Buffer.from(m.buffer, m.offset, m.length);
      s.whole.update(chunk);
      s.size += chunk.length;
      for (const c of s.composites) c.update(chunk);
      parentPort.postMessage({ id: m.id, seq: m.seq, buffer: m.buffer }, [m.buffer]);
    } else if (m.op === 'digest') {
      const composite = {};
      for (const c of s.composites) composite[c.partSize] = c.digest();
      streams.delete(m.id);
      parentPort.postMessage({ id: m.id, seq: m.seq, result: { md5: s.whole.digest('hex'), size: s.size, composite } });
    } else if (m.op === 'close') {
      streams.delete(m.id);
    }
  } catch (err) {
    const back = m.buffer ? [m.buffer] : [];
    parentPort.postMessage({ id: m.id, seq: m.seq, buffer: m.buffer, error: String(err && err.message || err) }, back);
  }
});
`;

interface Reply {
  id: number;
  seq: number;
  buffer?: ArrayBuffer;
  result?: FileHashes;
  error?: string;
}

interface SharedWorker {
  worker: Worker;
  waiting: Map<string, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
  users: number;
  alive: boolean;
}

let shared: SharedWorker | null = null;
let unavailable = false;
let nextId = 1;

function workerHandle(): SharedWorker | null {
  if (shared || unavailable) return shared;
  try {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const state: SharedWorker = { worker, waiting: new Map(), users: 0, alive: true };
    const waiting = state.waiting;
    let answered = false;
    worker.on('message', (m: Reply) => {
      answered = true;
      const key = `${m.id}:${m.seq}`;
      const w = waiting.get(key);
      waiting.delete(key);
      if (!w) return;
      if (m.error) w.reject(new Error(`MD5 worker: ${m.error}`));
      else w.resolve(m);
    });
    const fail = (err: Error): void => {
      // A worker that dies before it ever answered cannot run here: hash on this thread from now on.
      if (!answered) unavailable = true;
      state.alive = false;
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
      if (shared === state) shared = null;
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('The MD5 worker stopped.')));
    worker.unref();
    shared = state;
  } catch {
    unavailable = true;
  }
  return shared;
}

/** Memory made by ownedBuffer: only this may be handed to the worker (anything else is copied). */
const movable = new WeakSet<ArrayBuffer>();

/** A buffer that owns its whole memory, so it can be handed to the worker without a copy. */
export function ownedBuffer(size: number): Buffer {
  const memory = new ArrayBuffer(Math.max(1, size));
  movable.add(memory);
  return Buffer.from(memory);
}

export interface Md5Stream {
  /**
   * Adds bytes (call in order). The chunk may be handed to the worker: do not touch it until the
   * promise resolves, then use the buffer it resolves to (the same bytes, in the same memory).
   */
  update(chunk: Buffer): Promise<Buffer>;
  digest(): Promise<FileHashes>;
  /** Gives up without a result (after an error). */
  close(): void;
}

class InlineStream implements Md5Stream {
  private readonly hasher: StreamingHasher;
  constructor(partSizes: number[]) {
    this.hasher = new StreamingHasher(partSizes);
  }
  update(chunk: Buffer): Promise<Buffer> {
    this.hasher.update(chunk);
    return Promise.resolve(chunk);
  }
  digest(): Promise<FileHashes> {
    return Promise.resolve(this.hasher.digest());
  }
  close(): void {}
}

class WorkerStream implements Md5Stream {
  private readonly id = nextId++;
  private seq = 0;
  private closed = false;
  constructor(
    private readonly w: SharedWorker,
    partSizes: number[],
  ) {
    w.users++;
    w.worker.ref();
    w.worker.postMessage({ op: 'open', id: this.id, partSizes: [...new Set(partSizes)].filter((p) => p > 0) });
  }

  private ask(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const seq = ++this.seq;
    if (!this.w.alive) return Promise.reject(new Error('The MD5 worker stopped.'));
    return new Promise<Reply>((resolve, reject) => {
      this.w.waiting.set(`${this.id}:${seq}`, { resolve, reject });
      this.w.worker.postMessage({ ...message, id: this.id, seq }, transfer);
    });
  }

  async update(chunk: Buffer): Promise<Buffer> {
    // Only our own whole allocations may move (a slice of a shared pool must not); others are copied.
    const length = chunk.length; // read now: once moved, `chunk` is empty
    let memory = chunk.buffer as ArrayBuffer;
    let offset = chunk.byteOffset;
    if (!movable.has(memory)) {
      const copy = ownedBuffer(length);
      chunk.copy(copy);
      memory = copy.buffer as ArrayBuffer;
      offset = 0;
    }
    const r = await this.ask({ op: 'update', buffer: memory, offset, length }, [memory]);
    movable.add(r.buffer!);
    return Buffer.from(r.buffer!, offset, length);
  }

  async digest(): Promise<FileHashes> {
    try {
      const r = await this.ask({ op: 'digest' });
      return r.result!;
    } finally {
      this.release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.w.worker.postMessage({ op: 'close', id: this.id });
    this.release();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    if (--this.w.users === 0) this.w.worker.unref();
  }
}

/** Below this, starting to hash on another thread costs more than it saves. */
export const OFF_THREAD_MIN_BYTES = 32 * 1024 * 1024;

/** An MD5 stream (whole file + composites for `partSizes`) for `size` bytes. */
export function md5Stream(size: number, partSizes: number[] = []): Md5Stream {
  const w = size >= OFF_THREAD_MIN_BYTES ? workerHandle() : null;
  return w ? new WorkerStream(w, partSizes) : new InlineStream(partSizes);
}

/**
 * Whole-file MD5 and composite ETags of a file, read once. Small files are read in one go; large
 * ones in 1 MiB pieces hashed on the worker, so a big file never stalls the main thread (which in
 * the app also answers the window).
 */
export async function hashFile(file: string, partSizes: number[] = []): Promise<FileHashes> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size <= MiB) {
      const hasher = new StreamingHasher(partSizes);
      hasher.update(await fh.readFile()); // to the end, even if the file grew meanwhile
      return hasher.digest();
    }
    const stream = md5Stream(size, partSizes);
    try {
      // Two pieces alternate: one is read while the other is hashed.
      const free = [ownedBuffer(MiB), ownedBuffer(MiB)];
      const inFlight: Promise<Buffer>[] = [];
      let position = 0;
      for (;;) {
        const buf = free.pop() ?? wholeMemory(await inFlight.shift()!);
        const { bytesRead } = await fh.read(buf, 0, buf.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const hashed = stream.update(buf.subarray(0, bytesRead));
        hashed.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        inFlight.push(hashed);
      }
      await Promise.all(inFlight);
      return await stream.digest();
    } finally {
      stream.close();
    }
  } finally {
    await fh.close();
  }
}

/** The whole allocation behind a view (the pieces come back from the worker as views). */
function wholeMemory(view: Buffer): Buffer {
  return Buffer.from(view.buffer as ArrayBuffer, 0, view.buffer.byteLength);
}
