// Small shared pieces: state badge, path text with ellipsis, banners, the relative clock.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { PairStatus } from '../../shared/model';
import { STATUS_LABEL } from '../format';
import { IconAlert, IconCheck, IconErrorCircle, IconInfo } from './Icons';

/** Re-renders every `ms` so relative times ("2 min ago") stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function StateBadge({ status }: { status: PairStatus }) {
  return (
    <span className={`badge badge-${status}`} data-testid="state-badge" data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}

/** A path or URI in monospace, cut with an ellipsis, the full text in the tooltip. */
export function PathText({ children, className, testId }: { children: string; className?: string; testId?: string }) {
  return (
    <span className={`path${className ? ` ${className}` : ''}`} title={children} data-testid={testId}>
      {children}
    </span>
  );
}

export type Tone = 'danger' | 'warning' | 'info' | 'success';

const TONE_ICON: Record<Tone, () => ReactNode> = {
  danger: IconErrorCircle,
  warning: IconAlert,
  info: IconInfo,
  success: IconCheck,
};

export function Banner({
  tone,
  children,
  role,
  testId,
  action,
}: {
  tone: Tone;
  children: ReactNode;
  role?: 'alert' | 'status';
  testId?: string;
  action?: ReactNode;
}) {
  const Icon = TONE_ICON[tone];
  return (
    <div className={`banner banner-${tone}`} role={role} data-testid={testId}>
      <span className="banner-icon">
        <Icon />
      </span>
      <div className="banner-text">{children}</div>
      {action && <div className="banner-action">{action}</div>}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      {label && <span>{label}</span>}
    </span>
  );
}

/**
 * Ids and ARIA wiring for a form's fields, one convention everywhere: the control is
 * `${base}-${name}`, its hint `${base}-${name}-hint`, its error `${base}-${name}-error`.
 */
export function useFieldWiring<K extends string>(errors: Partial<Record<K, string>>) {
  const base = useId();
  const fid = (name: string) => `${base}-${name}`;
  const aria = (name: K, hint = false) => ({
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': [errors[name] ? fid(`${name}-error`) : '', hint ? fid(`${name}-hint`) : ''].filter(Boolean).join(' ') || undefined,
  });
  return { fid, aria };
}

/** A labelled form field: label, the control(s), an optional hint, the error when there is one. */
export function Field({
  id,
  name,
  label,
  optional,
  hint,
  error,
  after,
  children,
}: {
  /** Builds the ids (from useFieldWiring). */
  id: (name: string) => string;
  /** The control's id is id(name); the hint's and error's are id(`${name}-hint`) and id(`${name}-error`). */
  name: string;
  label: ReactNode;
  optional?: boolean;
  hint?: ReactNode;
  error?: string;
  /** Shown below the error (e.g. a browser panel that belongs to the field). */
  after?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id(name)}>
        {label}
        {optional && (
          <>
            {' '}
            <span className="muted">(optional)</span>
          </>
        )}
      </label>
      {children}
      {hint && (
        <p className="hint" id={id(`${name}-hint`)}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={id(`${name}-error`)}>
          {error}
        </p>
      )}
      {after}
    </div>
  );
}
