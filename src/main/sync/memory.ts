// Keeping peak memory low on very large trees. Scanning, loading the hash cache and parsing a
// listing of 100,000 keys each leave tens of MB of garbage; V8 grows the heap instead of
// collecting it, and the process keeps that memory. A full collection between those phases
// keeps the peak near what is really in use (a no-op over 100k files: ~245 MB instead of ~320).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | null | undefined;

/** Below this many files the phases are small and a collection would only cost time. */
export const LARGE_TREE = 20_000;

export function compactMemory(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/**
 * A GC ballast for large downloads. V8 sizes its old-space limit from what is alive; during a big
 * download the heap is small while gigabytes of socket buffers pass through, and V8 answers with
 * a full collection every few MB (≈ 60 per GiB). Holding 8 MB of live, pointer-free memory
 * meanwhile lifts the limit: measured with the CLI on a 1 GiB download, 61 → 1 full collections,
 * CPU 5.5 → 3.6 s, wall 6.4–7.5 → 5.4–5.6 s (`node --initial-old-space-size=64` does the same,
 * but a process cannot set it for itself). Uploads were measured too and gain nothing (their
 * collections have another cause), so they do not hold it. Released when the last one ends.
 */
let ballast: number[] | null = null;
let ballastHolders = 0;

/** Downloads at least this large hold the ballast. */
export const BALLAST_MIN_BYTES = 32 * 1024 * 1024;

export function holdGcBallast(): () => void {
  if (ballastHolders++ === 0) ballast = new Array<number>(1_000_000).fill(0);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--ballastHolders === 0) ballast = null;
  };
}

/** Whether the ballast is held (tests). */
export function gcBallastHeld(): boolean {
  return ballast !== null;
}
