// Small concurrency tools: a worker pool and a counting semaphore (for transfer slots and for the
// bytes that may sit in memory at once).

export async function runPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

export class Semaphore {
  private waiting: Array<{ n: number; resolve: () => void }> = [];
  private available: number;
  constructor(private readonly capacity: number) {
    this.available = capacity;
  }

  /** Takes `n` units; a request larger than the whole capacity waits until it can run alone. */
  async acquire(n = 1): Promise<() => void> {
    if (this.waiting.length === 0 && this.fits(n)) {
      this.available -= n;
    } else {
      await new Promise<void>((resolve) => this.waiting.push({ n, resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += n;
      this.drain();
    };
  }

  private fits(n: number): boolean {
    return this.available >= n || this.available === this.capacity;
  }

  private drain(): void {
    while (this.waiting.length && this.fits(this.waiting[0].n)) {
      const head = this.waiting.shift()!;
      this.available -= head.n;
      head.resolve();
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
