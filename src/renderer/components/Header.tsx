// The toolbar: app name, the overall status of all pairs, and the app-wide actions.
import type { PairState, PairStatus } from '../../shared/model';
import { openActivity, openNewPair, openSettings, setAllPaused, syncAll, useApp } from '../store';
import { IconGear, IconList, IconPause, IconPlay, IconPlus, IconSync, Logo } from './Icons';

interface Overall {
  tone: PairStatus;
  text: string;
}

/** A summary for the toolbar of what main reported for each pair (display only). */
export function overallStatus(pairIds: string[], states: Record<string, PairState>, allPaused: boolean): Overall {
  if (pairIds.length === 0) return { tone: 'idle', text: 'No pairs yet' };
  if (allPaused) return { tone: 'paused', text: 'All syncing paused' };
  const count = (s: PairStatus) => pairIds.filter((id) => states[id]?.status === s).length;
  const syncing = count('syncing') + count('planning');
  const errors = count('error');
  const conflicts = count('conflict');
  const pending = count('pending');
  if (syncing) return { tone: 'syncing', text: syncing === 1 ? 'Syncing 1 pair…' : `Syncing ${syncing} pairs…` };
  if (errors) return { tone: 'error', text: errors === 1 ? '1 pair needs attention' : `${errors} pairs need attention` };
  if (conflicts) return { tone: 'conflict', text: conflicts === 1 ? '1 pair has conflicts' : `${conflicts} pairs have conflicts` };
  if (pending) return { tone: 'pending', text: pending === 1 ? 'Changes pending in 1 pair' : `Changes pending in ${pending} pairs` };
  const inSync = count('in-sync');
  if (inSync === pairIds.length) return { tone: 'in-sync', text: 'Everything is in sync' };
  if (count('paused') === pairIds.length) return { tone: 'paused', text: 'All pairs paused' };
  return { tone: 'idle', text: inSync ? `${inSync} of ${pairIds.length} in sync` : 'Waiting for the first sync' };
}

export function Header() {
  const pairs = useApp((s) => s.pairs);
  const states = useApp((s) => s.states);
  const allPaused = useApp((s) => s.allPaused);
  const loaded = useApp((s) => s.loaded);
  const unseenProblems = useApp((s) => s.activity.filter((e) => e.id > s.activitySeenId && e.level !== 'info').length);
  const overall = overallStatus(
    pairs.map((p) => p.id),
    states,
    allPaused,
  );

  return (
    <header className="toolbar">
      <div className="brand">
        <Logo />
        <span className="app-name">s3lync</span>
      </div>
      {loaded && (
        <div className={`overall overall-${overall.tone}`} data-testid="overall-status" data-status={overall.tone} role="status">
          <span className="badge-dot" aria-hidden="true" />
          {overall.text}
        </div>
      )}
      <nav className="toolbar-actions" aria-label="App actions">
        <button type="button" className="button" onClick={() => void syncAll()} disabled={!loaded || pairs.length === 0} title="Sync every enabled pair now">
          <IconSync />
          <span className="label">Sync all</span>
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void setAllPaused(!allPaused)}
          disabled={!loaded || pairs.length === 0}
          title={allPaused ? 'Resume syncing of all pairs' : 'Pause syncing of all pairs'}
        >
          {allPaused ? <IconPlay /> : <IconPause />}
          <span className="label">{allPaused ? 'Resume all' : 'Pause all'}</span>
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button type="button" className="button" onClick={() => openActivity()} disabled={!loaded} title="Activity log">
          <IconList />
          <span className="label">Activity</span>
          {unseenProblems > 0 && (
            <span className="count-dot" title={`${unseenProblems} new warnings or errors`}>
              {unseenProblems > 99 ? '99+' : unseenProblems}
            </span>
          )}
        </button>
        <button type="button" className="button" onClick={() => openSettings()} disabled={!loaded} title="Connections and preferences">
          <IconGear />
          <span className="label">Settings</span>
        </button>
        <button type="button" className="button button-primary" onClick={() => openNewPair()} disabled={!loaded}>
          <IconPlus />
          <span className="label">New pair</span>
        </button>
      </nav>
    </header>
  );
}
