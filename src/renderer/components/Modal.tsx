// The one dialog frame: role=dialog, aria-modal, labelled by its title; focus moves in on open,
// stays inside (Tab wraps), Esc closes and focus returns to where it was.
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import { IconClose } from './Icons';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), summary';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[inert]'));
}

export interface ModalProps {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg' | 'xl';
  /** False for a dialog under another one: it is inert until the one above closes. */
  active?: boolean;
  testId?: string;
  /** Extra content in the header, after the title. */
  headerExtra?: ReactNode;
  describedBy?: string;
  className?: string;
  /** Change it when the content changes step: focus moves to [data-autofocus] or the dialog. */
  focusKey?: string;
  /** Makes the dialog a form (Enter submits; footer buttons may be type=submit). */
  onSubmit?: () => void;
}

export function Modal({ title, onClose, children, footer, size = 'md', active = true, testId, headerExtra, describedBy, className, focusKey, onSubmit }: ModalProps) {
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);

  // Focus moves into the dialog when it opens, and back where it was when it closes.
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = ref.current;
    if (root) {
      const preferred = root.querySelector<HTMLElement>('[data-autofocus]');
      const body = root.querySelector<HTMLElement>('.modal-body');
      const first = preferred ?? (body ? focusables(body)[0] : undefined);
      (first ?? root).focus();
    }
    return () => {
      if (previous && previous.isConnected) previous.focus();
    };
  }, []);

  // When the content changes step (focusKey), focus the autofocus target or the dialog itself.
  const firstKey = useRef(focusKey);
  useEffect(() => {
    if (firstKey.current === focusKey) return;
    firstKey.current = undefined;
    const root = ref.current;
    if (!root) return;
    const target = root.querySelector<HTMLElement>('[data-autofocus]') ?? root;
    target.focus();
  }, [focusKey]);

  // Esc closes and Tab stays inside, even when focus fell out (e.g. the focused button went away).
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    if (!active) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      const root = ref.current;
      if (!root) return;
      if (e.key === 'Escape') {
        if (e.defaultPrevented) return;
        e.preventDefault();
        closeRef.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = focusables(root);
      if (items.length === 0) {
        e.preventDefault();
        root.focus();
        return;
      }
      const first = items[0];
      const last = items[items.length - 1];
      const inside = root.contains(document.activeElement);
      if (!inside) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      } else if (e.shiftKey && (document.activeElement === first || document.activeElement === root)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [active]);

  const Root = onSubmit ? 'form' : 'div';
  return (
    <div className="modal-backdrop" inert={!active}>
      <Root
        ref={ref as never}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        tabIndex={-1}
        className={`modal modal-${size}${className ? ` ${className}` : ''}`}
        data-testid={testId}
        noValidate={onSubmit ? true : undefined}
        onSubmit={
          onSubmit
            ? (e: FormEvent) => {
                e.preventDefault();
                onSubmit();
              }
            : undefined
        }
      >
        <header className="modal-header">
          <h2 id={titleId} className="modal-title">
            {title}
          </h2>
          {headerExtra}
          <button type="button" className="icon-button" aria-label="Close dialog" title="Close (Esc)" onClick={onClose}>
            <IconClose />
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-footer">{footer}</footer>}
      </Root>
    </div>
  );
}
