// Keeping a pair in sync by itself: a file watcher (chokidar) whose events are debounced into
// syncs, a periodic full rescan for what events miss, polling of the remote prefix, and a runner
// that never runs two syncs of one pair at once, retries with exponential backoff when the
// network or the server fails, and pauses itself when the deletion guard trips.
import type { FSWatcher } from 'chokidar';
import * as path from 'node:path';
import type { SyncResult } from '../../shared/progress';
import { ChangedDuringSyncError, describeError, isRetryable } from './errors';
import { failureCause } from './executor';
import type { Excluder } from './exclude';
import { isOurTempName } from './store';

export interface WatcherOptions {
  /** Quiet time after the last event before a sync starts. */
  debounceMs?: number;
  /** A file must stop growing for this long before it counts as written. */
  writeFinishMs?: number;
  /** Start with polling (network drives, or after the OS ran out of watches). */
  usePolling?: boolean;
  /** Told when watching degrades (e.g. to polling) so the user can see it. */
  onNote?: (message: string) => void;
}

/** Watches a folder; calls onChange with the relative paths that changed (debounced), or null when everything must be looked at again. */
export class FolderWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private changed = new Set<string>();
  private polling: boolean;
  private closed = false;
  readyPromise: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly excluder: Excluder,
    private readonly onChange: (paths: Set<string> | null) => void,
    private readonly options: WatcherOptions = {},
  ) {
    this.polling = options.usePolling ?? false;
  }

  get isPolling(): boolean {
    return this.polling;
  }

  async start(): Promise<void> {
    const { watch } = await import('chokidar');
    const root = path.resolve(this.root);
    this.watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      usePolling: this.polling,
      interval: 1000,
      binaryInterval: 2000,
      atomic: true,
      awaitWriteFinish: { stabilityThreshold: this.options.writeFinishMs ?? 200, pollInterval: 50 },
      ignored: (p: string) => {
        const rel = path.relative(root, p).split(path.sep).join('/');
        if (!rel || rel.startsWith('..')) return false;
        return isOurTempName(path.basename(p)) || this.excluder.excludes(rel);
      },
    });
    this.watcher.on('all', (_event, p) => {
      const rel = path.relative(root, p).split(path.sep).join('/').normalize('NFC');
      if (!rel || rel.startsWith('..')) return;
      this.changed.add(rel);
      this.schedule();
    });
    this.watcher.on('error', (err) => void this.degrade(err));
    this.readyPromise = new Promise((resolve) => this.watcher!.once('ready', () => resolve()));
    await this.readyPromise;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const paths = this.changed;
      this.changed = new Set();
      if (!this.closed && paths.size) this.onChange(paths);
    }, this.options.debounceMs ?? 300);
  }

  /** Too many files for the OS's watches (EMFILE, ENOSPC): keep going by polling, and say so. */
  private async degrade(err: unknown): Promise<void> {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (this.closed) return;
    if (this.polling) {
      this.options.onNote?.(`Watching ${this.root} failed (${code ?? (err as Error)?.message}); changes are still found by the periodic rescan.`);
      return;
    }
    this.options.onNote?.(
      code === 'ENOSPC' || code === 'EMFILE'
        ? `The system ran out of file watches (${code}) for ${this.root}; watching by polling instead (changes may take a few seconds longer).`
        : `Watching ${this.root} failed (${code ?? (err as Error)?.message}); watching by polling instead.`,
    );
    await this.watcher?.close();
    this.polling = true;
    await this.start();
    this.onChange(null); // catch up on whatever happened meanwhile
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }
}

export type RunnerStatus = 'idle' | 'syncing' | 'waiting-retry' | 'paused' | 'held';

export interface RunnerOptions {
  /**
   * Runs one sync (plan + execute) of the pair; `only` lists the paths a watcher saw change when
   * that is all there is to look at (null: a full sync).
   */
  sync: (signal: AbortSignal, only: string[] | null) => Promise<SyncResult>;
  onResult?: (r: SyncResult) => void;
  onError?: (message: string, retryInSeconds: number | null) => void;
  /** The deletion guard tripped: the runner pauses itself until the user decides. */
  onHeld?: (message: string) => void;
  onStatus?: (status: RunnerStatus) => void;
  /** First retry delay; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One queue per pair: a request while a sync runs marks the pair dirty and it runs once more
 * afterwards — never two syncs at once. Failures that may pass (network, 5xx) retry with
 * exponential backoff; a run that catches up resets it.
 */
export class PairRunner {
  private running: Promise<void> | null = null;
  private dirty = false;
  /** Paths queued for an incremental sync; null once a full sync is due. */
  private pending: Set<string> | null = new Set();
  private paused = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private controller: AbortController | null = null;
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** Asks for a sync: of the given changed paths, or (without) of everything. */
  request(paths?: Iterable<string>): void {
    if (this.stopped) return;
    if (!paths) this.pending = null;
    else if (this.pending) for (const p of paths) this.pending.add(p);
    if (this.paused) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no sync is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  pause(): void {
    this.paused = true;
    this.controller?.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.opts.onStatus?.('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.opts.onStatus?.('idle');
    this.request();
  }

  cancel(): void {
    this.dirty = false;
    this.controller?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      this.controller = new AbortController();
      this.opts.onStatus?.('syncing');
      const only = this.pending && this.pending.size ? [...this.pending] : null;
      this.pending = new Set();
      try {
        const r = await this.opts.sync(this.controller.signal, only);
        this.opts.onResult?.(r);
        if (r.plan.guard?.tripped && r.deletionsHeld && r.failed.length === 0 && !r.cancelled) {
          this.paused = true;
          this.opts.onHeld?.(r.plan.guard.message);
          this.opts.onStatus?.('held');
          return;
        }
        // Failures that may pass (network, server, a file still changing) are retried with backoff.
        const transient = r.failed.find((f) => {
          const cause = failureCause.get(f);
          return isRetryable(cause) || cause instanceof ChangedDuringSyncError;
        });
        if (transient) throw failureCause.get(transient);
        this.failures = 0;
      } catch (err) {
        this.pending = null; // after a failure the retry looks at everything
        if (this.stopped || this.paused) return;
        this.failures++;
        const retryable = isRetryable(err) || err instanceof ChangedDuringSyncError;
        const delay = Math.min(this.opts.maxBackoffMs ?? 300_000, (this.opts.backoffMs ?? 5_000) * 2 ** (this.failures - 1));
        this.opts.onError?.(describeError(err), retryable ? Math.round(delay / 1000) : null);
        if (retryable) {
          this.opts.onStatus?.('waiting-retry');
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.request();
          }, delay);
          this.retryTimer.unref?.();
        } else {
          this.opts.onStatus?.('idle');
        }
        return;
      } finally {
        this.controller = null;
      }
    } while (this.dirty && !this.stopped && !this.paused);
    this.opts.onStatus?.(this.paused ? 'paused' : 'idle');
  }
}
