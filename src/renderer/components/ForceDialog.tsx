// Force sync: choose which side wins, then see exactly what that mirror would upload, download
// and delete (deletions in the danger color) before confirming. Confirm runs that plan by id.
import type { Pair } from '../../shared/model';
import type { Plan } from '../../shared/plan';
import { baseName } from '../format';
import { backToForceChoice, closeDialog, previewForce, runPlan, type Dialog, type ForceDirection } from '../store';
import { Banner, PathText, Spinner } from './common';
import { IconArrowLeft, IconDown, IconUp } from './Icons';
import { Modal } from './Modal';
import { DeletionWarning, OperationsView, PlanExtras, PlanNotices, PlanSummary } from './PlanView';

/** "Confirm: upload 3, delete 2" — the counts of what will happen. */
export function confirmLabel(plan: Plan): string {
  const c = plan.counts;
  const parts: string[] = [];
  if (c.upload) parts.push(`upload ${c.upload.toLocaleString()}`);
  if (c.download) parts.push(`download ${c.download.toLocaleString()}`);
  const moves = (c.moveRemote ?? 0) + (c.moveLocal ?? 0);
  if (moves) parts.push(`rename ${moves.toLocaleString()}`);
  if (c.conflicts) parts.push(`keep both for ${c.conflicts.toLocaleString()}`);
  const deletes = c.deleteRemote + c.deleteLocal;
  if (deletes) parts.push(`delete ${deletes.toLocaleString()}`);
  return parts.length ? `Confirm: ${parts.join(', ')}` : 'Confirm';
}

function DirectionChoice({ dialogId, pairId }: { dialogId: number; pairId: string }) {
  const choose = (d: ForceDirection) => void previewForce(dialogId, pairId, d);
  return (
    <div className="force-choice">
      <p>
        A force sync makes one side an exact copy of the other, <strong>including deletions</strong>. You&rsquo;ll see every
        change before anything happens.
      </p>
      <div className="choice-grid">
        <button type="button" className="choice" onClick={() => choose('push')} data-autofocus>
          <span className="choice-icon" aria-hidden="true">
            <IconUp />
          </span>
          <span className="choice-title">Make S3 match this folder</span>
          <span className="choice-text">Uploads new and changed files, and deletes objects on S3 that aren&rsquo;t in the folder.</span>
        </button>
        <button type="button" className="choice" onClick={() => choose('pull')}>
          <span className="choice-icon" aria-hidden="true">
            <IconDown />
          </span>
          <span className="choice-title">Make this folder match S3</span>
          <span className="choice-text">
            Downloads new and changed objects, and moves files that aren&rsquo;t on S3 to the s3lync trash.
          </span>
        </button>
      </div>
    </div>
  );
}

export function ForceDialog({ dialog, pair, active }: { dialog: Extract<Dialog, { type: 'force' }>; pair: Pair | undefined; active: boolean }) {
  const name = pair ? baseName(pair.localPath) : 'this pair';
  const close = () => closeDialog(dialog.id);
  const { prepared, direction, loading, error } = dialog;
  const plan = prepared?.plan;
  const empty = plan ? plan.operations.length === 0 : false;
  const deletes = plan ? plan.counts.deleteRemote + plan.counts.deleteLocal : 0;

  const footer = (
    <>
      {direction && (
        <button type="button" className="button button-quiet footer-left" onClick={() => backToForceChoice(dialog.id)}>
          <IconArrowLeft />
          Back
        </button>
      )}
      <button type="button" className="button" onClick={close}>
        {empty ? 'Close' : 'Cancel'}
      </button>
      {prepared && plan && !empty && (
        <button
          type="button"
          className={`button ${deletes ? 'button-danger' : 'button-primary'}`}
          onClick={() => void runPlan(dialog.id, prepared)}
          data-testid="force-confirm"
        >
          {confirmLabel(plan)}
        </button>
      )}
    </>
  );

  return (
    <Modal
      title={`Force sync ${name}`}
      onClose={close}
      size={direction ? 'xl' : 'md'}
      active={active}
      testId="force-dialog"
      footer={footer}
      focusKey={!direction ? 'choice' : plan ? 'preview' : error ? 'error' : 'loading'}
    >
      {pair && (
        <p className="dialog-sub">
          <PathText>{pair.localPath}</PathText>
          <span aria-hidden="true"> ⇄ </span>
          <PathText>{pair.remote}</PathText>
        </p>
      )}
      {!direction && <DirectionChoice dialogId={dialog.id} pairId={dialog.pairId} />}
      {direction && (
        <p className="force-heading" data-testid="force-direction" data-direction={direction}>
          {direction === 'push' ? 'Make S3 match this folder' : 'Make this folder match S3'}
        </p>
      )}
      {loading && (
        <div className="loading-block">
          <Spinner label="Comparing the folder with S3…" />
        </div>
      )}
      {error && (
        <Banner
          tone="danger"
          role="alert"
          action={
            direction && (
              <button type="button" className="button button-small" onClick={() => void previewForce(dialog.id, dialog.pairId, direction)}>
                Try again
              </button>
            )
          }
        >
          {error}
        </Banner>
      )}
      {plan &&
        (empty ? (
          <>
            <Banner tone="success" role="status" testId="plan-empty">
              Already identical — nothing to do.
            </Banner>
            <PlanExtras plan={plan} />
          </>
        ) : (
          <>
            <PlanSummary plan={plan} />
            <PlanNotices plan={plan} />
            <DeletionWarning plan={plan} />
            <OperationsView plan={plan} />
            <PlanExtras plan={plan} />
          </>
        ))}
    </Modal>
  );
}
