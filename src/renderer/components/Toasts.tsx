// Messages from actions and errors from main, in a polite live region. Errors and warnings stay
// until dismissed; the rest fade after a few seconds.
import { useEffect } from 'react';
import { dismissToast, useApp, type Toast } from '../store';
import { IconAlert, IconCheck, IconClose, IconErrorCircle, IconInfo } from './Icons';

const ICON = { error: IconErrorCircle, warning: IconAlert, success: IconCheck, info: IconInfo };

function ToastItem({ toast }: { toast: Toast }) {
  const sticky = toast.kind === 'error' || toast.kind === 'warning';
  useEffect(() => {
    if (sticky) return;
    const t = setTimeout(() => dismissToast(toast.id), 6000);
    return () => clearTimeout(t);
  }, [sticky, toast.id]);
  const Icon = ICON[toast.kind];
  return (
    <div className={`toast toast-${toast.kind}`} role={sticky ? 'alert' : 'status'} data-testid="toast" data-kind={toast.kind}>
      <span className="toast-icon">
        <Icon />
      </span>
      <div className="toast-text">
        {toast.title && <div className="toast-title">{toast.title}</div>}
        <div className="toast-message">{toast.message}</div>
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
        <IconClose />
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" aria-label="Notifications" data-testid="toasts">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
