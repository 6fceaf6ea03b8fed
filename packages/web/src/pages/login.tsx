import { type FormEvent, useState } from 'react';
import { ApiError, api, messageOf } from '../api';
import { Field, Notice, useTitle } from '../components/ui';
import type { Session } from '../session';

export function LoginPage({
  message,
  onLogin,
}: {
  message: string | undefined;
  onLogin: (session: Session) => void;
}) {
  useTitle('Log in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Only for an email with an account at several restaurants; without it, the oldest one.
  const [facility, setFacility] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const which = facility.trim() ? { facility_id: facility.trim() } : {};
      onLogin(await api<Session>('POST', '/v1/session', { email, password, ...which }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError('Wrong email or password. Check both and try again.');
      } else if (err instanceof ApiError && err.status === 429) {
        const minutes = Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60));
        setError(
          `Too many failed attempts. For your security, wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
        );
      } else if (err instanceof ApiError && err.status === 400) {
        setError('Enter your email and your password.');
      } else {
        setError(messageOf(err));
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <strong>tablehooks</strong>
        </div>
        <h1 id="login-title">Log in</h1>
        <p className="muted">Webhooks, bookings and online orders of your restaurant.</p>
        {message && !error && <Notice live>{message}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <Field id="login-email" label="Email">
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          )}
        </Field>
        <Field id="login-password" label="Password">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <details className="login-facility">
          <summary>Work at several restaurants?</summary>
          <Field
            id="login-facility"
            label="Restaurant id"
            hint="As in your restaurant's address, e.g. the-fish. Leave empty otherwise."
          >
            {(p) => (
              <input
                {...p}
                autoComplete="organization"
                spellCheck={false}
                value={facility}
                onChange={(e) => setFacility(e.target.value)}
              />
            )}
          </Field>
        </details>
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="hint">
          Accounts are created by your platform operator. Ask them if you have none.
        </p>
      </form>
    </main>
  );
}
