// Small building blocks: links, labelled fields with their errors, notices, badges, and
// buttons that confirm or copy.
import {
  type AnchorHTMLAttributes,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { ApiError, messageOf, sentence } from '../api';
import { navigate } from '../router';

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export interface FieldProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

export function Field({
  id,
  label,
  error,
  hint,
  children,
  className,
}: {
  id: string;
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
  children: (props: FieldProps) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': described || undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} data-field-error={id}>
          {error}
        </p>
      )}
    </div>
  );
}

/** ajv's phrasing, made readable beside the field it is about. */
export function humanize(message: string, field: string | undefined): string {
  let m = message.trim();
  if (field && m.startsWith(`${field} `)) m = m.slice(field.length + 1);
  if (/^must NOT have fewer than 1 characters$/.test(m)) return 'Required.';
  if (/^must NOT have fewer than 1 items$/.test(m)) return 'Choose at least one.';
  if (/^must match format "email"$/.test(m))
    return 'Enter an email address such as name@example.com.';
  if (/^must match format "date-time"$/.test(m)) return 'Enter a date and time.';
  if (m === 'must be integer') return 'Enter a whole number.';
  // Never show a validator's regular expression or JSON type words to people.
  if (/^must match pattern /.test(m)) return 'This contains characters that are not allowed.';
  if (/^(value )?must be (object|array|string|boolean|number)$/.test(m))
    return 'This value has the wrong form.';
  const bound = /^must be ([<>]=?) (\S+)$/.exec(m);
  if (bound) {
    const words = { '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than' };
    return `Must be ${words[bound[1] as keyof typeof words]} ${bound[2]}.`;
  }
  return sentence(m.replace(/must NOT/g, 'must not'));
}

export interface FormErrors {
  form?: string;
  fields: Record<string, string>;
}

export const noErrors: FormErrors = { fields: {} };

/**
 * Puts every field error of an API answer beside the field it names: the field itself, or
 * the closest enclosing one the form has ("items.0.quantity" → "items.0.quantity", else
 * "items"); what fits no field goes on top. The first message per field wins.
 */
export function errorsFrom(err: unknown, fields: readonly string[]): FormErrors {
  if (!(err instanceof ApiError)) return { form: messageOf(err), fields: {} };
  const problems =
    err.fields.length > 0
      ? err.fields
      : err.field
        ? [{ field: err.field, message: err.message }]
        : [];
  const out: FormErrors = { fields: {} };
  const rest: string[] = [];
  for (const p of problems) {
    const name = p.field ? closest(p.field, fields) : undefined;
    if (name === undefined) rest.push(humanize(p.message, undefined));
    else out.fields[name] ??= humanize(p.message, p.field);
  }
  if (problems.length === 0) out.form = messageOf(err);
  else if (rest.length > 0) out.form = rest.join(' ');
  return out;
}

function closest(field: string, fields: readonly string[]): string | undefined {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    if (fields.includes(name)) return name;
  }
  return undefined;
}

export function Notice({
  kind = 'info',
  children,
  live = false,
}: {
  kind?: 'info' | 'success' | 'warning' | 'error';
  children: ReactNode;
  live?: boolean;
}) {
  const role = kind === 'error' ? 'alert' : live ? 'status' : undefined;
  return (
    <div className={`notice notice-${kind}`} role={role}>
      {children}
    </div>
  );
}

export function Badge({
  tone,
  children,
}: {
  tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info';
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A button that asks before it acts, in place (no modal): keyboard and screen-reader friendly. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  className = 'button danger',
  disabled,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  className?: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  const questionId = useId();
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        ref={openRef}
        className={className}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    // Escape answers "no", as in any dialog.
    // biome-ignore lint/a11y/noStaticElementInteractions: the keydown only listens for Escape bubbling from its buttons
    <span
      className="confirm"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          setAsking(false);
        }
      }}
    >
      <span className="confirm-question" id={questionId}>
        {question}
      </span>
      <button
        type="button"
        ref={confirmRef}
        aria-describedby={questionId}
        className="button danger"
        aria-disabled={busy}
        onClick={async () => {
          if (busy) return;
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      // No clipboard permission (an insecure origin, a locked-down browser): say so.
      setState('failed');
    }
  }, [text]);
  return (
    <>
      <button type="button" className="button" onClick={copy}>
        {label}
      </button>
      <span className="copy-state" role="status">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'Select the text and copy it.' : ''}
      </span>
    </>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** The browser tab says which page this is. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · tablehooks`;
  }, [title]);
}
