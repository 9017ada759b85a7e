// Progress and result values the engine emits while it runs a plan. Shared with the renderer.
import type { Operation, Plan } from './plan';

export interface Progress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSeconds: number | null;
  /** Paths being transferred right now. */
  current: string[];
}

export interface OperationFailure {
  operation: Operation;
  /** Error class name: HashMismatchError, SyncError, ... */
  error: string;
  message: string;
}

export interface Completed {
  upload: number;
  download: number;
  deleteRemote: number;
  deleteLocal: number;
  moveRemote: number;
  moveLocal: number;
  conflicts: number;
}

export interface SyncResult {
  plan: Plan;
  done: number;
  /** Operations carried out, by kind. */
  completed: Completed;
  failed: OperationFailure[];
  /** Deletions not carried out because a listing or transfer failed, or the guard tripped. */
  deletionsHeld: number;
  heldReason: string | null;
  bytes: number;
  seconds: number;
  cancelled: boolean;
  ok: boolean;
}

export type SyncEvent =
  | { type: 'plan'; plan: Plan }
  | { type: 'progress'; progress: Progress }
  | { type: 'operation-done'; operation: Operation }
  | { type: 'operation-failed'; failure: OperationFailure }
  | { type: 'warning'; message: string }
  | { type: 'result'; result: SyncResult };
