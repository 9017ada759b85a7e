// Pure display helpers: sizes, rates, times, paths and S3 URIs as people read them.
import type { OperationKind } from '../shared/plan';
import type { PairStatus } from '../shared/model';
import type { SyncResult } from '../shared/progress';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  return `about ${formatDuration(seconds)} left`;
}

export function relativeTime(at: number, now: number): string {
  const diff = Math.round((now - at) / 1000);
  if (diff < 10) return 'just now';
  if (diff < 60) return `${diff} s ago`;
  const min = Math.floor(diff / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 7) return d === 1 ? 'yesterday' : `${d} days ago`;
  return new Date(at).toLocaleDateString();
}

export function absoluteTime(at: number): string {
  return new Date(at).toLocaleString();
}

export function clockTime(at: number, now: number): string {
  const d = new Date(at);
  const today = new Date(now);
  const sameDay = d.toDateString() === today.toDateString();
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay ? time : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

/** The last segment of a local path (POSIX or Windows). */
export function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || trimmed || p;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

// Bucket names as S3 and S3-compatible stores accept them (the engine's own rule).
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/** Checks an S3 URI typed by a person: null when fine, or a sentence saying what to fix. */
export function s3UriProblem(input: string): string | null {
  const value = input.trim();
  if (!value) return 'Enter the S3 location, like s3://my-bucket/photos/.';
  if (!value.startsWith('s3://')) return 'The S3 location must start with s3:// — for example s3://my-bucket/photos/.';
  const rest = value.slice(5);
  const bucket = rest.split('/')[0];
  if (!bucket) return 'Add a bucket name after s3:// — for example s3://my-bucket/.';
  if (!BUCKET_RE.test(bucket)) {
    return `"${bucket}" is not a valid bucket name (letters, digits, dots and hyphens, at least 3 characters).`;
  }
  if (value.length > 2048) return 'That S3 location is too long.';
  return null;
}

/** Splits s3://bucket/prefix into its parts (no validation). */
export function splitS3Uri(uri: string): { bucket: string; prefix: string } | null {
  if (!uri.startsWith('s3://')) return null;
  const rest = uri.slice(5);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!bucket) return null;
  return { bucket, prefix: slash === -1 ? '' : rest.slice(slash + 1) };
}

export const OPERATION_LABEL: Record<OperationKind, string> = {
  upload: 'Upload',
  download: 'Download',
  'move-remote': 'Rename on S3',
  'move-local': 'Rename locally',
  conflict: 'Conflict — keep both',
  'delete-remote': 'Delete on S3',
  'delete-local': 'Move to trash',
};

/** The order groups are shown in: transfers first, deletions (the dangerous part) last. */
export const OPERATION_ORDER: OperationKind[] = [
  'upload',
  'download',
  'move-remote',
  'move-local',
  'conflict',
  'delete-remote',
  'delete-local',
];

export function operationLabel(kind: string): string {
  return (OPERATION_LABEL as Record<string, string>)[kind] ?? kind;
}

export function isDeleteKind(kind: string): boolean {
  return kind === 'delete-remote' || kind === 'delete-local';
}

export const STATUS_LABEL: Record<PairStatus, string> = {
  idle: 'Not synced yet',
  'in-sync': 'In sync',
  pending: 'Changes pending',
  planning: 'Checking…',
  syncing: 'Syncing…',
  paused: 'Paused',
  error: 'Error',
  conflict: 'Conflict',
};

/** One line about a finished sync ("3 uploaded, 1 downloaded"). */
export function describeResult(result: SyncResult): string {
  const c = result.completed;
  const parts: string[] = [];
  if (c.upload) parts.push(`${c.upload.toLocaleString()} uploaded`);
  if (c.download) parts.push(`${c.download.toLocaleString()} downloaded`);
  if (c.deleteRemote) parts.push(`${c.deleteRemote.toLocaleString()} deleted on S3`);
  if (c.deleteLocal) parts.push(`${c.deleteLocal.toLocaleString()} moved to trash`);
  const moved = (c.moveRemote ?? 0) + (c.moveLocal ?? 0);
  if (moved) parts.push(`${moved.toLocaleString()} renamed`);
  if (c.conflicts) parts.push(`${plural(c.conflicts, 'conflict')} (both versions kept)`);
  let text = parts.length ? parts.join(', ') : 'nothing to transfer';
  if (result.failed.length) {
    text += `; ${plural(result.failed.length, 'file')} failed: ${result.failed[0].message}`;
  }
  if (result.deletionsHeld) {
    text += `; ${plural(result.deletionsHeld, 'deletion')} held back${result.heldReason ? ` (${result.heldReason})` : ''}`;
  }
  return text;
}
