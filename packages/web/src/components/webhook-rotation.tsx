// A webhook's rotations with overlap: a new signing secret while the old one is still signed
// with, and new Basic-Auth credentials while the old ones are still tried after a refusal —
// with what the receiver accepts, and a way to end the overlap now.
import { type FormEvent, useState } from 'react';
import { api, messageOf } from '../api';
import { ago, formatDateTime } from '../format';
import { useFacilityPath } from '../session';
import type { Webhook } from '../types';
import { CopyButton, errorsFrom, Field, type FormErrors, noErrors } from './ui';

const ACCEPTS = { new: 'the new password', old: 'the old password only' } as const;

function Until({ at }: { at: string }) {
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {ago(at)}
    </time>
  );
}

export function RotationPanel({
  webhook: w,
  busy,
  onChange,
}: {
  webhook: Webhook;
  busy: boolean;
  onChange: () => Promise<void>;
}) {
  const at = useFacilityPath();
  const base = at(`/webhooks/${encodeURIComponent(w.id)}`);
  const [secret, setSecret] = useState<{ value: string; until: string | null }>();
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [working, setWorking] = useState(false);

  async function run(work: () => Promise<unknown>) {
    setWorking(true);
    setMessage(undefined);
    try {
      await work();
      await onChange();
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    } finally {
      setWorking(false);
    }
  }

  const rotateSecret = () =>
    run(async () => {
      const r = await api<{ signing_secret: string; previous_expires_at: string | null }>(
        'POST',
        `${base}/secret/rotate`,
        {},
      );
      setSecret({ value: r.signing_secret, until: r.previous_expires_at });
    });

  const disabled = busy || working;
  const creds = w.credentials_rotation;
  return (
    <div className="rotation">
      {secret && (
        <div className="notice notice-success" role="status">
          <p className="secret-line">
            New signing secret, shown this once: <code className="secret">{secret.value}</code>{' '}
            <CopyButton text={secret.value} />
          </p>
          <p>
            {secret.until ? (
              <>
                The old secret is still signed with until <Until at={secret.until} />: update your
                receiver before then.
              </>
            ) : (
              'The old secret is no longer used.'
            )}
          </p>
        </div>
      )}
      {w.signing_secret_rotation && (
        <p className="rotation-state">
          Signing secret rotating: the old one is also signed with until{' '}
          <Until at={w.signing_secret_rotation.previous_expires_at} />.{' '}
          <button
            type="button"
            className="button small"
            disabled={disabled}
            onClick={() => run(() => api('DELETE', `${base}/secret/previous`))}
          >
            Stop signing with the old secret
          </button>
        </p>
      )}
      {creds && (
        <p className="rotation-state">
          Password rotating: the receiver accepts{' '}
          <strong>
            {creds.receiver_accepts ? ACCEPTS[creds.receiver_accepts] : 'not known yet'}
          </strong>
          . The old password (user <code>{creds.previous_username}</code>) is tried after a refusal
          until <Until at={creds.previous_expires_at} />.{' '}
          <button
            type="button"
            className="button small"
            disabled={disabled}
            onClick={() => run(() => api('DELETE', `${base}/credentials/previous`))}
          >
            Drop the old password
          </button>
        </p>
      )}
      <div className="actions">
        <button type="button" className="button small" disabled={disabled} onClick={rotateSecret}>
          Rotate signing secret
        </button>
        <button
          type="button"
          className="button small"
          disabled={disabled}
          aria-expanded={editing}
          onClick={() => setEditing((e) => !e)}
        >
          Change password with overlap
        </button>
      </div>
      {editing && (
        <CredentialsForm
          webhook={w}
          url={`${base}/credentials/rotate`}
          onDone={async () => {
            setEditing(false);
            setMessage({ ok: true, text: 'New password saved; the old one stays as a fallback.' });
            await onChange();
          }}
        />
      )}
      <div role="status">
        {message && <p className={message.ok ? 'ok-text' : 'bad-text'}>{message.text}</p>}
      </div>
    </div>
  );
}

function CredentialsForm({
  webhook: w,
  url,
  onDone,
}: {
  webhook: Webhook;
  url: string;
  onDone: () => Promise<void>;
}) {
  const [username, setUsername] = useState(w.username);
  const [password, setPassword] = useState('');
  const [hours, setHours] = useState('24');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => `rot-${w.id}-${f}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    try {
      const overlap = hours.trim();
      await api('POST', url, {
        username,
        password,
        overlap_hours: /^\d+$/.test(overlap) ? Number(overlap) : overlap,
      });
      await onDone();
    } catch (err) {
      setErrors(errorsFrom(err, ['username', 'password', 'overlap_hours']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="rotation-form" onSubmit={submit} noValidate>
      {errors.form && <p className="bad-text">{errors.form}</p>}
      <Field id={id('username')} label="New username" error={errors.fields.username}>
        {(p) => (
          <input
            {...p}
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        )}
      </Field>
      <Field
        id={id('password')}
        label="New password"
        error={errors.fields.password}
        hint="Sent from now on. Stored encrypted, never shown again."
      >
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <Field
        id={id('overlap_hours')}
        label="Keep the old password as a fallback for (hours)"
        error={errors.fields.overlap_hours}
        hint="While the receiver still refuses the new one (401/403), the old one is tried at once."
      >
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            className="short"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button primary small" disabled={busy}>
        {busy ? 'Saving…' : 'Save new password'}
      </button>
    </form>
  );
}
