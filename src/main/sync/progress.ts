// Progress of a running plan: files and bytes done, a rate over the last few seconds, an ETA,
// and the files in flight. Emits at most every `interval` ms, plus once at the end.
import type { Progress } from '../../shared/progress';

const WINDOW_MS = 5000;

export class ProgressTracker {
  private filesDone = 0;
  private bytesDone = 0;
  private readonly current = new Set<string>();
  private readonly samples: Array<[number, number]> = [];
  private lastEmit = 0;
  private readonly started = Date.now();

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly emit: (p: Progress) => void,
    private readonly interval = 250,
  ) {}

  start(path: string): void {
    this.current.add(path);
    this.maybeEmit();
  }

  bytes(n: number): void {
    this.bytesDone += n;
    this.maybeEmit();
  }

  finish(path: string): void {
    this.current.delete(path);
    this.filesDone++;
    this.maybeEmit();
  }

  snapshot(now = Date.now()): Progress {
    this.samples.push([now, this.bytesDone]);
    while (this.samples.length > 2 && now - this.samples[0][0] > WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const elapsed = (now - t0) / 1000;
    const rate = elapsed > 0.2 ? Math.max(0, (this.bytesDone - b0) / elapsed) : this.bytesDone / Math.max(0.001, (now - this.started) / 1000);
    const left = Math.max(0, this.bytesTotal - this.bytesDone);
    return {
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: Math.max(0, this.bytesDone),
      bytesTotal: this.bytesTotal,
      rate,
      etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : null,
      current: [...this.current].slice(0, 8),
    };
  }

  private maybeEmit(): void {
    const now = Date.now();
    if (now - this.lastEmit < this.interval) return;
    this.lastEmit = now;
    this.emit(this.snapshot(now));
  }

  flush(): void {
    this.lastEmit = Date.now();
    this.emit(this.snapshot());
  }
}
