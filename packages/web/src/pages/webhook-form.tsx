// '+ Add webhook' and 'Edit': target URL, username, password and the events, as the help
// page lists them. Errors come from the API and are shown beside the field they name.
import { type FormEvent, useEffect, useState } from 'react';
import { api, messageOf } from '../api';
import {
  errorsFrom,
  Field,
  type FormErrors,
  Link,
  Loading,
  Notice,
  noErrors,
  useTitle,
} from '../components/ui';
import {
  ADVANCED_DEFAULTS,
  ADVANCED_FIELDS,
  AdvancedSettings,
  type AdvancedValues,
  advancedBody,
} from '../components/webhook-advanced';
import { EVENT_GROUPS, isEventName } from '../events';
import { setFlash } from '../flash';
import { WEBHOOKS } from '../paths';
import { invalidateWebhook, keys, queryClient, useFacility } from '../query';
import { navigate } from '../router';
import { useFacilityPath, useSession } from '../session';
import type { EventName, Webhook } from '../types';

const FIELDS = [
  'url',
  'username',
  'password',
  'events',
  'description',
  ...ADVANCED_FIELDS,
] as const;

interface Values {
  url: string;
  username: string;
  password: string;
  events: EventName[];
  description: string;
  advanced: AdvancedValues;
}

const empty: Values = {
  url: '',
  username: '',
  password: '',
  events: [],
  description: '',
  advanced: ADVANCED_DEFAULTS,
};

/** The URL as the server stores it (host case, default port); the text itself if not one yet. */
function normalised(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

export function WebhookFormPage({ id }: { id?: string }) {
  const editing = id !== undefined;
  useTitle(editing ? 'Edit webhook' : 'Add webhook');
  const at = useFacilityPath();
  const facilityId = useSession().session.facility.id;
  const [values, setValues] = useState<Values>();
  // The stored password is only sent where it went before: a new URL needs it again.
  const [savedUrl, setSavedUrl] = useState<string>();
  // The facility comes from the shared cache: the list page has usually fetched it.
  const facility = useFacility().data;
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [loadError, setLoadError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    (editing
      ? api<Webhook>('GET', at(`/webhooks/${encodeURIComponent(id)}`))
      : Promise.resolve(undefined)
    ).then(
      (w) => {
        if (!live) return;
        setSavedUrl(w?.url);
        setValues(
          w
            ? {
                url: w.url,
                username: w.username,
                password: '',
                events: w.events.filter(isEventName),
                description: w.description,
                advanced: {
                  ordering: w.ordering,
                  coalesce_updates: w.coalesce_updates,
                  supersede_on_delete: w.supersede_on_delete,
                  max_age_hours: w.max_age_hours === null ? '' : String(w.max_age_hours),
                },
              }
            : empty,
        );
      },
      (err) => live && setLoadError(messageOf(err)),
    );
    return () => {
      live = false;
    };
  }, [at, editing, id]);

  const set = <K extends keyof Values>(key: K, value: Values[K]) =>
    setValues((v) => (v ? { ...v, [key]: value } : v));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!values) return;
    setBusy(true);
    setErrors(noErrors);
    try {
      const { advanced, ...fields } = values;
      const body = { ...fields, ...advancedBody(advanced) };
      if (editing) {
        // A blank password keeps the stored one.
        const { password, ...rest } = body;
        await api('PATCH', at(`/webhooks/${encodeURIComponent(id)}`), password ? body : rest);
        setFlash({ text: 'Webhook saved.' });
        await invalidateWebhook(facilityId, id);
      } else {
        const created = await api<Webhook & { signing_secret: string }>(
          'POST',
          at('/webhooks'),
          body,
        );
        setFlash({
          text: `Webhook added. Changes to the chosen events are now sent to ${created.url}.`,
          secret: created.signing_secret,
        });
        await queryClient.invalidateQueries({ queryKey: keys.webhooks(facilityId) });
      }
      navigate(WEBHOOKS);
    } catch (err) {
      const next = errorsFrom(err, FIELDS);
      setErrors(next);
      const first = Object.keys(next.fields)[0];
      // Take the keyboard to the first field at fault.
      if (first) {
        document
          .querySelector<HTMLElement>(first === 'events' ? '#wh-events input' : `#wh-${first}`)
          ?.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  const title = editing ? 'Edit webhook' : 'Add webhook';
  if (loadError) {
    return (
      <section className="page">
        <h1 tabIndex={-1}>{title}</h1>
        <Notice kind="error">{loadError}</Notice>
        <Link to={WEBHOOKS}>Back to the webhooks</Link>
      </section>
    );
  }
  if (!values || !facility) return <Loading what="the webhook" />;
  if (!editing && facility.plan !== 'premium') {
    return (
      <section className="page">
        <h1 tabIndex={-1}>{title}</h1>
        <div className="notice notice-warning premium" role="note">
          <h2>Webhooks need the premium plan</h2>
          <p>Available starting with the PREMIUM plan. Your restaurant is on the free plan.</p>
        </div>
        <Link to={WEBHOOKS}>Back to the webhooks</Link>
      </section>
    );
  }
  const err = errors.fields;
  const moved = editing && normalised(values.url) !== normalised(savedUrl ?? '');
  return (
    <section className="page" aria-labelledby="wh-form-title">
      <h1 id="wh-form-title" tabIndex={-1}>
        {title}
      </h1>
      <p className="lead">
        When a chosen event happens, tablehooks sends an HTTP POST to the target URL with Basic Auth
        (this username and password) and a small JSON body such as{' '}
        <code>{'{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}'}</code>.
      </p>
      <form className="card form" onSubmit={submit} noValidate>
        {errors.form && <Notice kind="error">{errors.form}</Notice>}
        <Field
          id="wh-url"
          label="Target URL"
          error={err.url}
          hint="Where the HTTP POST goes, e.g. https://hooks.zapier.com/hooks/catch/…"
        >
          {(p) => (
            <input
              {...p}
              type="url"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              value={values.url}
              onChange={(e) => set('url', e.target.value)}
            />
          )}
        </Field>
        <div className="row">
          <Field id="wh-username" label="Username" error={err.username} hint="For Basic Auth.">
            {(p) => (
              <input
                {...p}
                autoComplete="off"
                spellCheck={false}
                value={values.username}
                onChange={(e) => set('username', e.target.value)}
              />
            )}
          </Field>
          <Field
            id="wh-password"
            label="Password"
            error={err.password}
            hint={
              moved
                ? 'The target URL changed: enter the password again, so that it is only sent where you mean it to go.'
                : editing
                  ? 'Leave blank to keep the current password.'
                  : 'For Basic Auth. Stored encrypted, never shown again.'
            }
          >
            {(p) => (
              <input
                {...p}
                required={moved || !editing}
                type="password"
                autoComplete="new-password"
                value={values.password}
                onChange={(e) => set('password', e.target.value)}
              />
            )}
          </Field>
        </div>
        <fieldset
          id="wh-events"
          className={`events${err.events ? ' has-error' : ''}`}
          aria-describedby={err.events ? 'wh-events-error' : undefined}
        >
          <legend>Events</legend>
          <p className="hint">Choose one or more. Each sends its own notification.</p>
          <div className="event-groups">
            {EVENT_GROUPS.map((g) => (
              <fieldset key={g.resource} className="event-group">
                <legend>
                  {g.area} <span className="muted">({g.resource})</span>
                </legend>
                {g.events.map((ev) => (
                  <div className="check" key={ev.name}>
                    <input
                      type="checkbox"
                      id={`ev-${ev.name}`}
                      // The error is read with whichever checkbox has the focus.
                      aria-invalid={Boolean(err.events)}
                      aria-describedby={err.events ? 'wh-events-error' : undefined}
                      checked={values.events.includes(ev.name)}
                      onChange={(e) =>
                        set(
                          'events',
                          e.target.checked
                            ? [...values.events, ev.name]
                            : values.events.filter((x) => x !== ev.name),
                        )
                      }
                    />
                    <label htmlFor={`ev-${ev.name}`}>
                      <code>{ev.name}</code>
                      <span className="meaning">{ev.meaning}</span>
                    </label>
                  </div>
                ))}
              </fieldset>
            ))}
          </div>
          {err.events && (
            <p className="field-error" id="wh-events-error" data-field-error="wh-events">
              {err.events}
            </p>
          )}
        </fieldset>
        <Field
          id="wh-description"
          label="Description (optional)"
          error={err.description}
          hint="A note for your team, e.g. “Zapier → Google Sheets”."
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={values.description}
              onChange={(e) => set('description', e.target.value)}
            />
          )}
        </Field>
        <AdvancedSettings
          values={values.advanced}
          errors={err}
          onChange={(next) => set('advanced', next)}
        />
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save webhook' : 'Add webhook'}
          </button>
          <Link to={WEBHOOKS} className="button">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
