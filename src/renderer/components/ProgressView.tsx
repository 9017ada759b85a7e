// A running sync: a progress bar (role=progressbar with its value), bytes, rate, ETA, the files
// being transferred right now.
import type { PairStatus } from '../../shared/model';
import type { Progress } from '../../shared/progress';
import { formatBytes, formatEta, formatRate } from '../format';

export function progressPercent(p: Progress): number {
  const ratio = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  return Math.max(0, Math.min(100, Math.floor(ratio * 100)));
}

export function ProgressView({ status, progress }: { status: PairStatus; progress: Progress | null }) {
  if (!progress) {
    const text = status === 'planning' ? 'Comparing the folder with S3…' : 'Starting…';
    return (
      <div className="progress" data-testid="progress">
        <div className="progress-bar progress-indeterminate" role="progressbar" aria-label={text} aria-valuetext={text}>
          <div className="progress-fill" />
        </div>
        <div className="progress-meta">
          <span>{text}</span>
        </div>
      </div>
    );
  }
  const pct = progressPercent(progress);
  const eta = formatEta(progress.etaSeconds);
  const bytes = `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`;
  const files = `${progress.filesDone.toLocaleString()} of ${progress.filesTotal.toLocaleString()} files`;
  const shown = progress.current.slice(0, 3);
  const more = progress.current.length - shown.length;
  return (
    <div className="progress" data-testid="progress">
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}% — ${bytes}, ${files}`}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-meta">
        <span className="progress-pct">{pct}%</span>
        <span data-testid="progress-bytes">{bytes}</span>
        <span>{files}</span>
        {progress.rate > 0 && <span>{formatRate(progress.rate)}</span>}
        {eta && <span>{eta}</span>}
      </div>
      {shown.length > 0 && (
        <ul className="progress-current" aria-label="Transferring now">
          {shown.map((path) => (
            <li key={path} className="path" title={path}>
              {path}
            </li>
          ))}
          {more > 0 && <li className="muted">and {more.toLocaleString()} more</li>}
        </ul>
      )}
    </div>
  );
}
