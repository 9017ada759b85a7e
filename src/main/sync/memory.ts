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
