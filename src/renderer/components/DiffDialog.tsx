// "Preview changes": the plan of a normal sync, exactly as main prepared it. "Sync now" runs that
// very plan (by its id), so what runs is what was shown.
import type { Pair } from '../../shared/model';
import { baseName, plural } from '../format';
import { closeDialog, loadDiff, runPlan, type Dialog } from '../store';
import { Banner, PathText, Spinner } from './common';
import { Modal } from './Modal';
import { DeletionWarning, OperationsView, PlanExtras, PlanNotices, PlanSummary } from './PlanView';
import { IconSync } from './Icons';

export function DiffDialog({ dialog, pair, active }: { dialog: Extract<Dialog, { type: 'diff' }>; pair: Pair | undefined; active: boolean }) {
  const name = pair ? baseName(pair.localPath) : 'this pair';
  const close = () => closeDialog(dialog.id);
  const { prepared, error } = dialog;
  const plan = prepared?.plan;
  const empty = plan ? plan.operations.length === 0 : false;
  const deletes = plan ? plan.counts.deleteRemote + plan.counts.deleteLocal : 0;

  return (
    <Modal
      title={`Changes for ${name}`}
      onClose={close}
      size="xl"
      active={active}
      testId="diff-dialog"
      footer={
        <>
          {plan && !empty && (
            <span className="footer-note muted">
              {plural(plan.operations.length, 'operation')} — exactly these will run.
            </span>
          )}
          <button type="button" className="button" onClick={close}>
            Close
          </button>
          {prepared && prepared.mode === 'sync' && !empty && (
            <button
              type="button"
              className={`button ${deletes ? 'button-danger' : 'button-primary'}`}
              onClick={() => void runPlan(dialog.id, prepared)}
              data-autofocus={deletes ? undefined : true}
            >
              <IconSync />
              Sync now
            </button>
          )}
        </>
      }
    >
      {pair && (
        <p className="dialog-sub">
          <PathText>{pair.localPath}</PathText>
          <span aria-hidden="true"> {pair.direction === 'push' ? '→' : pair.direction === 'pull' ? '←' : '⇄'} </span>
          <span className="sr-only">{pair.direction === 'push' ? ' to ' : pair.direction === 'pull' ? ' from ' : ' and '}</span>
          <PathText>{pair.remote}</PathText>
        </p>
      )}
      {error && (
        <Banner
          tone="danger"
          role="alert"
          action={
            <button type="button" className="button button-small" onClick={() => void loadDiff(dialog.id, dialog.pairId, dialog.allowDeletions)}>
              Try again
            </button>
          }
        >
          {error}
        </Banner>
      )}
      {!prepared && !error && (
        <div className="loading-block">
          <Spinner label="Comparing the folder with S3…" />
        </div>
      )}
      {dialog.allowDeletions && (
        <Banner tone="warning" testId="review-deletions">
          The last sync held back deletions because there were more than usual. Review them below; <strong>Sync now</strong>{' '}
          carries out exactly this plan, deletions included.
        </Banner>
      )}
      {plan && (
        <>
          <PlanSummary plan={plan} />
          <PlanNotices plan={plan} />
          <DeletionWarning plan={plan} />
          {empty ? (
            <Banner tone="success" role="status" testId="plan-empty">
              Nothing to do — the folder and S3 are in sync.
            </Banner>
          ) : (
            <OperationsView plan={plan} />
          )}
          <PlanExtras plan={plan} />
        </>
      )}
    </Modal>
  );
}
