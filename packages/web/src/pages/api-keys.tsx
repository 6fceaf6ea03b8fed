// Settings > Integration > API: the facility owner's API keys. A new key is shown once.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, messageOf } from '../api';
import {
  Badge,
  ConfirmButton,
  CopyButton,
  errorsFrom,
  Field,
  type FormErrors,
  Loading,
  Notice,
  noErrors,
  useTitle,
} from '../components/ui';
import { ago, formatDateTime } from '../format';
import { queryClient, keys as queryKeys } from '../query';
import { useFacilityPath, useSession } from '../session';
import type { ApiKey, List } from '../types';

const SCOPES = [
  { name: 'read', meaning: 'Read bookings, orders and the facility.' },
  { name: 'write', meaning: 'Create, change and cancel bookings and orders.' },
  { name: 'webhooks', meaning: 'Manage webhooks and their delivery log.' },
] as const;

export function ApiKeysPage() {
  useTitle('API keys');
  const { session } = useSession();
  const at = useFacilityPath();
  const [created, setCreated] = useState<ApiKey & { key: string }>();
  const owner = session.user.role === 'owner';
  const apiKeysKey = [...queryKeys.facility(session.facility.id), 'api-keys'] as const;
  const list = useQuery({
    queryKey: apiKeysKey,
    queryFn: () => api<List<ApiKey>>('GET', at('/api-keys')),
    // Staff may not list keys: no request that can only answer 403.
    enabled: owner,
  });
  const keys = list.data?.objects;
  const [actionError, setError] = useState<string>();
  const error = actionError ?? (list.error ? messageOf(list.error) : undefined);
  const load = () => queryClient.invalidateQueries({ queryKey: apiKeysKey });

  if (!owner) {
    return (
      <section className="page">
        <h1 tabIndex={-1}>API</h1>
        <Notice kind="warning">Only the facility owner can create and revoke API keys.</Notice>
      </section>
    );
  }
  return (
    <section className="page" aria-labelledby="api-title">
      <h1 id="api-title" tabIndex={-1}>
        API
      </h1>
      <p className="lead">
        API keys let your integrations read and change data through the REST API (send the key in
        the <code>Api-Key</code> header). Webhook receivers use one to fetch the details of a
        booking or order.
      </p>
      {created && (
        <Notice kind="success" live>
          <p>
            <strong>API key “{created.name}” created.</strong> Copy it now: it is shown only this
            once.
          </p>
          <p className="secret-line">
            <label htmlFor="new-key" className="visually-hidden">
              New API key
            </label>
            <input
              id="new-key"
              className="secret-input"
              readOnly
              value={created.key}
              onFocus={(e) => e.target.select()}
            />
            <CopyButton text={created.key} />
          </p>
        </Notice>
      )}
      <NewKeyForm
        onCreated={async (k) => {
          setCreated(k);
          await load();
        }}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <h2>Keys</h2>
      {!keys ? (
        !error && <Loading what="API keys" />
      ) : keys.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        <ul className="cards" aria-label="API keys">
          {keys.map((k) => (
            <li key={k.id} className="card apikey">
              <div className="webhook-head">
                <h3>{k.name}</h3>
                {k.revoked_at ? (
                  <Badge tone="muted">Revoked</Badge>
                ) : (
                  <Badge tone="ok">Active</Badge>
                )}
              </div>
              <dl className="facts">
                <div>
                  <dt>Key</dt>
                  <dd>
                    <code>{k.prefix}…</code>
                  </dd>
                </div>
                <div>
                  <dt>Scopes</dt>
                  <dd>{k.scopes.join(', ')}</dd>
                </div>
                <div>
                  <dt>Created</dt>
                  <dd>{formatDateTime(k.created_at)}</dd>
                </div>
                <div>
                  <dt>Last used</dt>
                  <dd>{k.last_used_at ? ago(k.last_used_at) : 'never'}</dd>
                </div>
                {k.revoked_at && (
                  <div>
                    <dt>Revoked</dt>
                    <dd>{formatDateTime(k.revoked_at)}</dd>
                  </div>
                )}
              </dl>
              {!k.revoked_at && (
                <div className="actions">
                  <ConfirmButton
                    label="Revoke"
                    question="Revoke this key? Apps using it stop working at once."
                    confirmLabel="Revoke key"
                    onConfirm={async () => {
                      try {
                        await api('DELETE', at(`/api-keys/${encodeURIComponent(k.id)}`));
                        await load();
                      } catch (err) {
                        setError(messageOf(err));
                      }
                    }}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewKeyForm({
  onCreated,
}: {
  onCreated: (key: ApiKey & { key: string }) => Promise<void>;
}) {
  const at = useFacilityPath();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    try {
      const key = await api<ApiKey & { key: string }>('POST', at('/api-keys'), { name, scopes });
      setName('');
      await onCreated(key);
    } catch (err) {
      setErrors(errorsFrom(err, ['name', 'scopes']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="newkey-title">
      <h2 id="newkey-title">Create an API key</h2>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <Field
        id="key-name"
        label="Name"
        error={errors.fields.name}
        hint="Who uses it, e.g. “Zapier”."
      >
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset
        className={errors.fields.scopes ? 'has-error' : undefined}
        aria-describedby={errors.fields.scopes ? 'key-scopes-error' : undefined}
      >
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <div className="check" key={s.name}>
            <input
              type="checkbox"
              id={`scope-${s.name}`}
              checked={scopes.includes(s.name)}
              onChange={(e) =>
                setScopes(
                  e.target.checked ? [...scopes, s.name] : scopes.filter((x) => x !== s.name),
                )
              }
            />
            <label htmlFor={`scope-${s.name}`}>
              <code>{s.name}</code>
              <span className="meaning">{s.meaning}</span>
            </label>
          </div>
        ))}
        {errors.fields.scopes && (
          <p className="field-error" id="key-scopes-error">
            {errors.fields.scopes}
          </p>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          Create API key
        </button>
      </div>
    </form>
  );
}
