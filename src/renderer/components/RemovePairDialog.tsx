// Confirm before removing a pair. Removing stops syncing; no files are touched.
import { useState } from 'react';
import type { Pair } from '../../shared/model';
import { errorMessage } from '../api';
import { baseName } from '../format';
import { closeDialog, removePair, type Dialog } from '../store';
import { Banner, PathText } from './common';
import { Modal } from './Modal';

export function RemovePairDialog({ dialog, pair, active }: { dialog: Extract<Dialog, { type: 'remove-pair' }>; pair: Pair | undefined; active: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => closeDialog(dialog.id);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await removePair(dialog.pairId);
      close();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const name = pair ? baseName(pair.localPath) : 'this pair';
  return (
    <Modal
      title={`Remove ${name}?`}
      onClose={close}
      size="sm"
      active={active}
      testId="remove-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={close} data-autofocus>
            Keep pair
          </button>
          <button type="button" className="button button-danger" onClick={() => void remove()} disabled={busy}>
            Remove pair
          </button>
        </>
      }
    >
      {error && (
        <Banner tone="danger" role="alert">
          {error}
        </Banner>
      )}
      <p>s3lync will stop keeping these in sync:</p>
      {pair && (
        <div className="readonly-pair">
          <PathText>{pair.localPath}</PathText>
          <span aria-hidden="true">⇄</span>
          <PathText>{pair.remote}</PathText>
        </div>
      )}
      <p className="muted">Nothing is deleted: the folder and the objects on S3 stay as they are.</p>
    </Modal>
  );
}
