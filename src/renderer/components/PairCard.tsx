// One pair: where, which way, its live state as main reports it, and the per-pair actions.
import { useState } from 'react';
import type { Pair, PairState, PendingCounts } from '../../shared/model';
import { absoluteTime, baseName, relativeTime } from '../format';
import {
  cancelPair,
  dismissConflicts,
  openDialog,
  openFolder,
  openForceSync,
  previewChanges,
  setPairEnabled,
  syncPair,
  useApp,
} from '../store';
import { PathText, StateBadge } from './common';
import {
  IconBolt,
  IconCloud,
  IconDown,
  IconEdit,
  IconEye,
  IconFolder,
  IconFolderOpen,
  IconPause,
  IconPlay,
  IconStop,
  IconSync,
  IconTrash,
  IconUp,
} from './Icons';
import { ProgressView } from './ProgressView';

export function PendingList({ pending }: { pending: PendingCounts }) {
  const items: Array<{ key: string; text: string; tone: string }> = [];
  if (pending.upload) items.push({ key: 'upload', text: `${pending.upload.toLocaleString()} to upload`, tone: 'upload' });
  if (pending.download) items.push({ key: 'download', text: `${pending.download.toLocaleString()} to download`, tone: 'download' });
  if (pending.delete) items.push({ key: 'delete', text: `${pending.delete.toLocaleString()} to delete`, tone: 'delete' });
  if (pending.conflicts) {
    items.push({
      key: 'conflicts',
      text: pending.conflicts === 1 ? '1 conflict' : `${pending.conflicts.toLocaleString()} conflicts`,
      tone: 'conflict',
    });
  }
  return (
    <ul className="pending" data-testid="pending-counts" aria-label="Pending changes">
      {items.length === 0 ? (
        <li className="chip">Nothing pending</li>
      ) : (
        items.map((i) => (
          <li key={i.key} className={`chip chip-${i.tone}`} data-kind={i.key}>
            {i.text}
          </li>
        ))
      )}
    </ul>
  );
}

export function DirectionLabel({ direction }: { direction: Pair['direction'] }) {
  switch (direction) {
    case 'push':
      return (
        <span className="direction" data-direction="push" title="Changes in this folder are uploaded to S3">
          <IconUp />
          Push — folder to S3
        </span>
      );
    case 'pull':
      return (
        <span className="direction" data-direction="pull" title="Changes on S3 are downloaded into this folder">
          <IconDown />
          Pull — S3 to folder
        </span>
      );
    default:
      return (
        <span className="direction" data-direction={direction} title="Changes on either side are copied to the other; conflicts keep both versions">
          <IconSync />
          Two-way — folder and S3
        </span>
      );
  }
}

/** Conflict copies main made recently: where they are, a way to see them, and a way to dismiss. */
function ConflictCopies({ pairId, paths }: { pairId: string; paths: string[] }) {
  const shown = paths.slice(0, 5);
  return (
    <div className="pair-conflicts" data-testid="conflict-copies">
      <div className="pair-conflicts-head">
        <span>
          <strong>{paths.length === 1 ? '1 conflict' : `${paths.length.toLocaleString()} conflicts`}:</strong> both versions were kept.
          The other side&rsquo;s version is saved as a copy next to the file.
        </span>
        <button type="button" className="button button-small button-quiet" onClick={() => void dismissConflicts(pairId)}>
          Dismiss
        </button>
      </div>
      <ul>
        {shown.map((p) => (
          <li key={p}>
            <span className="path" title={p}>
              {p}
            </span>
            <button type="button" className="button button-small button-quiet" onClick={() => void openFolder(pairId, p)} aria-label={`Show ${p} in folder`}>
              Show in folder
            </button>
          </li>
        ))}
        {paths.length > shown.length && <li className="muted">and {(paths.length - shown.length).toLocaleString()} more</li>}
      </ul>
    </div>
  );
}

export function PairCard({ pair, now }: { pair: Pair; now: number }) {
  const state: PairState | undefined = useApp((s) => s.states[pair.id]);
  const profileName = useApp((s) => s.profiles.find((p) => p.id === pair.profileId)?.name);
  const [starting, setStarting] = useState(false);
  const status = state?.status ?? (pair.enabled ? 'idle' : 'paused');
  const busy = status === 'syncing' || status === 'planning';
  const name = baseName(pair.localPath);
  const titleId = `pair-title-${pair.id}`;

  const runSync = async () => {
    setStarting(true);
    try {
      await syncPair(pair.id);
    } finally {
      setStarting(false);
    }
  };

  return (
    <article
      className={`card pair-card pair-status-${status}`}
      data-testid="pair-card"
      data-pair-id={pair.id}
      data-status={status}
      aria-labelledby={titleId}
    >
      <div className="pair-head">
        <div className="pair-icon" aria-hidden="true">
          <IconFolder size={20} />
        </div>
        <div className="pair-names">
          <h2 className="pair-title" id={titleId} title={pair.localPath}>
            {name}
          </h2>
          <div className="pair-paths">
            <PathText className="pair-local" testId="pair-local">
              {pair.localPath}
            </PathText>
            <span className="pair-link" aria-hidden="true">
              {pair.direction === 'push' ? '→' : pair.direction === 'pull' ? '←' : '⇄'}
            </span>
            <span className="pair-remote-wrap">
              <IconCloud />
              <PathText className="pair-remote" testId="pair-remote">
                {pair.remote}
              </PathText>
            </span>
          </div>
        </div>
        <StateBadge status={status} />
      </div>

      <div className="pair-meta">
        <DirectionLabel direction={pair.direction} />
        {profileName && <span className="meta-item">via {profileName}</span>}
        <span className="meta-item">
          {state?.lastSyncAt ? (
            <>
              Last synced{' '}
              <time dateTime={new Date(state.lastSyncAt).toISOString()} title={absoluteTime(state.lastSyncAt)}>
                {relativeTime(state.lastSyncAt, now)}
              </time>
            </>
          ) : (
            'Never synced'
          )}
        </span>
        {pair.exclude.length > 0 && (
          <span className="meta-item" title={pair.exclude.join('\n')}>
            {pair.exclude.length === 1 ? '1 exclude rule' : `${pair.exclude.length} exclude rules`}
          </span>
        )}
        {!pair.enabled && status !== 'paused' && <span className="meta-item">Background sync paused</span>}
      </div>

      {state?.pending && !busy && <PendingList pending={state.pending} />}
      {busy && <ProgressView status={status} progress={state?.progress ?? null} />}
      {state?.held && !busy && (
        <div className="pair-held" role="alert" data-testid="pair-held">
          <span className="pair-held-text">
            <strong>Deletions held back.</strong> {state.held}
          </span>
          <button type="button" className="button button-small" onClick={() => void previewChanges(pair.id, true)}>
            Review deletions…
          </button>
        </div>
      )}
      {(state?.conflicts?.length ?? 0) > 0 && <ConflictCopies pairId={pair.id} paths={state?.conflicts ?? []} />}
      {state?.note && <p className="pair-note">{state.note}</p>}
      {status === 'error' && state?.error && (
        <p className="pair-error" role="alert" data-testid="pair-error">
          {state.error}
        </p>
      )}
      {state?.lastSummary && !busy && status !== 'error' && <p className="pair-summary">{state.lastSummary}</p>}

      <div className="pair-actions" role="group" aria-label={`Actions for ${name}`}>
        {busy ? (
          <button type="button" className="button" onClick={() => void cancelPair(pair.id)}>
            <IconStop />
            Cancel
          </button>
        ) : (
          <button type="button" className="button button-primary" onClick={() => void runSync()} disabled={starting}>
            <IconSync />
            Sync now
          </button>
        )}
        <button type="button" className="button" onClick={() => void previewChanges(pair.id)} disabled={busy}>
          <IconEye />
          Preview changes
        </button>
        <button type="button" className="button" onClick={() => openForceSync(pair.id)} disabled={busy}>
          <IconBolt />
          Force sync…
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="button button-quiet"
          onClick={() => void setPairEnabled(pair.id, !pair.enabled)}
          title={pair.enabled ? 'Stop background syncing of this pair' : 'Sync this pair in the background again'}
        >
          {pair.enabled ? <IconPause /> : <IconPlay />}
          {pair.enabled ? 'Pause' : 'Resume'}
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Open folder"
          title="Open folder"
          onClick={() => void openFolder(pair.id)}
        >
          <IconFolderOpen />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Edit pair"
          title="Edit pair"
          onClick={() => openDialog({ type: 'edit-pair', pairId: pair.id })}
        >
          <IconEdit />
        </button>
        <button
          type="button"
          className="icon-button icon-button-danger"
          aria-label="Remove pair"
          title="Remove pair"
          onClick={() => openDialog({ type: 'remove-pair', pairId: pair.id })}
          disabled={busy}
        >
          <IconTrash />
        </button>
      </div>
    </article>
  );
}
