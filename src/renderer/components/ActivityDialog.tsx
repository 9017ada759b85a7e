// The activity log as main records it, newest first.
import { useEffect, useState } from 'react';
import type { ActivityEntry } from '../../shared/model';
import { absoluteTime, baseName, clockTime } from '../format';
import { clearActivity, closeDialog, useApp, type Dialog } from '../store';
import { useNow } from './common';
import { IconAlert, IconErrorCircle, IconInfo } from './Icons';
import { Modal } from './Modal';

type LevelFilter = 'all' | 'problems' | 'errors';

const LEVEL_TEXT: Record<ActivityEntry['level'], string> = { info: 'Info', warning: 'Warning', error: 'Error' };
const LEVEL_ICON = { info: IconInfo, warning: IconAlert, error: IconErrorCircle };

export function ActivityDialog({ dialog, active }: { dialog: Extract<Dialog, { type: 'activity' }>; active: boolean }) {
  const activity = useApp((s) => s.activity);
  const pairs = useApp((s) => s.pairs);
  const [filter, setFilter] = useState<LevelFilter>('all');
  const now = useNow(60_000);
  const close = () => closeDialog(dialog.id);

  // What arrives while the log is open counts as seen.
  useEffect(() => {
    const max = activity.reduce((m, e) => Math.max(m, e.id), 0);
    if (max > useApp.getState().activitySeenId) useApp.setState({ activitySeenId: max });
  }, [activity]);

  const shown = activity.filter((e) => filter === 'all' || (filter === 'errors' ? e.level === 'error' : e.level !== 'info'));
  const pairName = (id: string | null) => {
    if (!id) return null;
    const p = pairs.find((x) => x.id === id);
    return p ? baseName(p.localPath) : null;
  };

  return (
    <Modal
      title="Activity"
      onClose={close}
      size="lg"
      active={active}
      testId="activity-dialog"
      footer={
        <>
          <button type="button" className="button footer-left" onClick={() => void clearActivity()} disabled={activity.length === 0}>
            Clear
          </button>
          <button type="button" className="button button-primary" onClick={close}>
            Close
          </button>
        </>
      }
    >
      <div className="activity-controls">
        <label className="inline-label" htmlFor="activity-filter">
          Show
        </label>
        <select id="activity-filter" className="input input-auto" value={filter} onChange={(e) => setFilter(e.target.value as LevelFilter)}>
          <option value="all">Everything</option>
          <option value="problems">Warnings and errors</option>
          <option value="errors">Errors only</option>
        </select>
        <span className="muted">{shown.length.toLocaleString()} entries</span>
      </div>
      {shown.length === 0 ? (
        <p className="muted empty-small">{activity.length === 0 ? 'No activity yet.' : 'Nothing matches this filter.'}</p>
      ) : (
        <ol className="activity-list" data-testid="activity-list">
          {shown.map((e) => {
            const Icon = LEVEL_ICON[e.level];
            const name = pairName(e.pairId);
            return (
              <li key={e.id} className={`activity-entry level-${e.level}`} data-testid="activity-entry" data-level={e.level}>
                <span className="activity-icon" title={LEVEL_TEXT[e.level]}>
                  <Icon />
                  <span className="sr-only">{LEVEL_TEXT[e.level]}: </span>
                </span>
                <time className="activity-time" dateTime={new Date(e.at).toISOString()} title={absoluteTime(e.at)}>
                  {clockTime(e.at, now)}
                </time>
                {name && (
                  <span className="activity-pair" title={name}>
                    {name}
                  </span>
                )}
                <span className="activity-message">{e.message}</span>
              </li>
            );
          })}
        </ol>
      )}
    </Modal>
  );
}
