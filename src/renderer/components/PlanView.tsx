// A plan as main prepared it: operations grouped by kind, with a path filter and kind toggles,
// at most a page of rows per group (large plans stay fast), skipped items, notes, and the
// deletion guard. It shows the plan; it never changes it.
import { useDeferredValue, useMemo, useState, type ComponentType } from 'react';
import type { Operation, OperationKind, Plan } from '../../shared/plan';
import { OPERATION_ORDER, formatBytes, isDeleteKind, operationLabel, plural } from '../format';
import { Banner } from './common';
import { IconAlert, IconCloud, IconDown, IconEdit, IconTrash, IconUp } from './Icons';

export const PAGE = 200;

const KIND_ICON: Record<string, ComponentType> = {
  upload: IconUp,
  download: IconDown,
  'move-remote': IconEdit,
  'move-local': IconEdit,
  conflict: IconAlert,
  'delete-remote': IconCloud,
  'delete-local': IconTrash,
};

type Groups = Record<string, Operation[]>;

/** Operations by kind, in display order (kinds this renderer doesn't know go last). */
export function groupOperations(ops: Operation[]): { kinds: string[]; groups: Groups } {
  const groups: Groups = {};
  for (const op of ops) (groups[op.kind] ??= []).push(op);
  const known = OPERATION_ORDER.filter((k) => groups[k]);
  const other = Object.keys(groups).filter((k) => !OPERATION_ORDER.includes(k as OperationKind));
  return { kinds: [...known, ...other], groups };
}

function OperationPath({ op }: { op: Operation }) {
  if (op.from) {
    return (
      <span className="path" title={`${op.from} → ${op.path}`}>
        {op.from} <span aria-hidden="true">→</span>
        <span className="sr-only"> to </span> {op.path}
      </span>
    );
  }
  return (
    <span className="path" title={op.path}>
      {op.path}
    </span>
  );
}

function groupBytes(ops: Operation[]): number {
  let n = 0;
  for (const op of ops) n += op.size;
  return n;
}

function OperationGroup({ kind, all, matching, filtered }: { kind: string; all: Operation[]; matching: Operation[]; filtered: boolean }) {
  const [limit, setLimit] = useState(PAGE);
  const danger = isDeleteKind(kind);
  const Icon = KIND_ICON[kind] ?? IconAlert;
  const headingId = `group-${kind}`;
  const rows = matching.slice(0, limit);
  const rest = matching.length - rows.length;
  return (
    <section className={`op-group${danger ? ' op-group-danger' : ''}`} data-testid="op-group" data-kind={kind} aria-labelledby={headingId}>
      <h3 className="op-group-title" id={headingId}>
        <span className="op-group-icon" aria-hidden="true">
          <Icon />
        </span>
        {operationLabel(kind)}
        <span className="count" data-testid="op-group-count">
          {filtered ? `${matching.length.toLocaleString()} of ${all.length.toLocaleString()}` : all.length.toLocaleString()}
        </span>
        {!danger && <span className="muted op-group-bytes">{formatBytes(groupBytes(all))}</span>}
      </h3>
      {matching.length === 0 ? (
        <p className="muted op-empty">Nothing here matches the filter.</p>
      ) : (
        <table className="op-table">
          <thead className="sr-only">
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Operation</th>
              <th scope="col">Size</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((op) => (
              <tr key={`${op.from ?? ''}>${op.path}`} data-testid="op-row" data-kind={op.kind} className={danger ? 'op-row-danger' : undefined}>
                <td className="op-path">
                  <OperationPath op={op} />
                </td>
                <td className="op-kind">{operationLabel(op.kind)}</td>
                <td className="op-size">{danger || op.size === 0 ? '—' : formatBytes(op.size)}</td>
                <td className="op-reason" title={op.conflictPath ? `${op.reason}; local version kept as ${op.conflictPath}` : op.reason}>
                  {op.reason}
                  {op.conflictPath && (
                    <span className="muted">
                      {' '}
                      — local version kept as <span className="path-inline">{op.conflictPath}</span>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rest > 0 && (
        <div className="op-more">
          <span className="muted">
            Showing {rows.length.toLocaleString()} of {matching.length.toLocaleString()}
          </span>
          <button type="button" className="button button-small" onClick={() => setLimit((l) => l + PAGE * 5)}>
            Show {Math.min(rest, PAGE * 5).toLocaleString()} more
          </button>
        </div>
      )}
    </section>
  );
}

export function PlanNotices({ plan }: { plan: Plan }) {
  return (
    <>
      {plan.guard && (
        <Banner tone={plan.guard.tripped ? 'danger' : 'info'} role={plan.guard.tripped ? 'alert' : undefined} testId="guard">
          {plan.guard.tripped && <strong>Deletions held back. </strong>}
          {plan.guard.message}
        </Banner>
      )}
      {!plan.listingComplete && (
        <Banner tone="warning" testId="listing-incomplete">
          A listing was incomplete, so nothing will be deleted in this run.
        </Banner>
      )}
    </>
  );
}

export function PlanExtras({ plan }: { plan: Plan }) {
  if (plan.skipped.length === 0 && plan.notes.length === 0 && !(plan.hashed > 0)) return null;
  return (
    <div className="plan-extras">
      {plan.notes.length > 0 && (
        <ul className="notes" data-testid="plan-notes" aria-label="Notes">
          {plan.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {plan.hashed > 0 && <p className="muted small">Read {plural(plan.hashed, 'file')} to compare contents.</p>}
      {plan.skipped.length > 0 && (
        <details className="skipped" data-testid="plan-skipped">
          <summary>
            Skipped: {plural(plan.skipped.length, 'item')} left alone
          </summary>
          <ul>
            {plan.skipped.slice(0, 500).map((s, i) => (
              <li key={`${s.path}-${i}`}>
                <span className="path" title={s.path}>
                  {s.path}
                </span>
                <span className="muted"> — {s.reason}</span>
              </li>
            ))}
            {plan.skipped.length > 500 && <li className="muted">and {(plan.skipped.length - 500).toLocaleString()} more</li>}
          </ul>
        </details>
      )}
    </div>
  );
}

/** The filterable, grouped list of a plan's operations. */
export function OperationsView({ plan }: { plan: Plan }) {
  const { kinds: present, groups } = useMemo(() => groupOperations(plan.operations), [plan]);
  const [filter, setFilter] = useState('');
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const deferred = useDeferredValue(filter);
  const q = deferred.trim().toLowerCase();

  const matching = useMemo(() => {
    const out: Groups = {};
    for (const k of present) {
      out[k] = q
        ? groups[k].filter((op) => op.path.toLowerCase().includes(q) || (op.from ?? '').toLowerCase().includes(q))
        : groups[k];
    }
    return out;
  }, [present, groups, q]);

  if (present.length === 0) return null;

  const toggle = (k: string) =>
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });

  return (
    <div className="ops">
      <div className="ops-controls">
        <input
          type="search"
          className="input input-search"
          placeholder="Filter by path"
          aria-label="Filter by path"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {present.length > 1 && (
          <div className="toggles" role="group" aria-label="Show operation kinds">
            {present.map((k) => (
              <button
                key={k}
                type="button"
                className={`toggle toggle-${k}`}
                aria-pressed={!hidden.has(k)}
                onClick={() => toggle(k)}
              >
                {operationLabel(k)} ({groups[k].length.toLocaleString()})
              </button>
            ))}
          </div>
        )}
      </div>
      {present
        .filter((k) => !hidden.has(k))
        .map((k) => (
          <OperationGroup key={`${k}:${q}`} kind={k} all={groups[k]} matching={matching[k]} filtered={q !== ''} />
        ))}
    </div>
  );
}

/** Numbers at a glance: what moves, what is deleted, what stays. */
export function PlanSummary({ plan }: { plan: Plan }) {
  const c = plan.counts;
  const tiles: Array<{ key: string; label: string; value: number; extra?: string; danger?: boolean }> = [
    { key: 'upload', label: 'to upload', value: c.upload },
    { key: 'download', label: 'to download', value: c.download },
  ];
  const moves = (c.moveRemote ?? 0) + (c.moveLocal ?? 0);
  if (moves) tiles.push({ key: 'move', label: 'to rename', value: moves });
  if (c.conflicts) tiles.push({ key: 'conflict', label: 'conflicts (keep both)', value: c.conflicts });
  if (plan.mirror || c.deleteRemote) tiles.push({ key: 'delete-remote', label: 'to delete on S3', value: c.deleteRemote, danger: c.deleteRemote > 0 });
  if (plan.mirror || c.deleteLocal) tiles.push({ key: 'delete-local', label: 'to move to trash', value: c.deleteLocal, danger: c.deleteLocal > 0 });
  tiles.push({ key: 'unchanged', label: 'unchanged', value: c.unchanged });
  return (
    <dl className="tiles" data-testid="plan-summary">
      {tiles.map((t) => (
        <div key={t.key} className={`tile${t.danger ? ' tile-danger' : ''}`} data-kind={t.key}>
          <dt>{t.label}</dt>
          <dd>{t.value.toLocaleString()}</dd>
        </div>
      ))}
      {c.bytes > 0 && (
        <div className="tile" data-kind="bytes">
          <dt>to transfer</dt>
          <dd>{formatBytes(c.bytes)}</dd>
        </div>
      )}
    </dl>
  );
}

/** What deletions in a plan mean: S3 deletes are permanent; local ones go to the s3lync trash. */
export function DeletionWarning({ plan }: { plan: Plan }) {
  const { deleteRemote, deleteLocal } = plan.counts;
  if (!deleteRemote && !deleteLocal) return null;
  return (
    <Banner tone="danger" testId="delete-warning">
      {deleteRemote > 0 && (
        <p>
          <strong>{plural(deleteRemote, 'object')} will be permanently deleted from S3.</strong> This can&rsquo;t be undone.
        </p>
      )}
      {deleteLocal > 0 && (
        <p>
          <strong>{plural(deleteLocal, 'local file')} will be moved to the s3lync trash.</strong> You can restore them from
          there.
        </p>
      )}
    </Banner>
  );
}
