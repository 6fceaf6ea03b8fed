// Settings > Integration > Developers > Webhooks: the list, with each webhook's state and
// its last delivery at a glance, and what can be done with it.
import { useCallback, useEffect, useState } from 'react';
import { api, messageOf } from '../api';
import { DeliveryStatusBadge } from '../components/delivery-status';
import {
  Badge,
  ConfirmButton,
  CopyButton,
  Link,
  Loading,
  Notice,
  usePolling,
  useTitle,
} from '../components/ui';
import { clearFlash, peekFlash } from '../flash';
import { ago, formatDateTime } from '../format';
import { webhookEdit, webhookLog, webhookNew } from '../paths';
import { useFacilityPath } from '../session';
import type { Attempt, Delivery, Facility, List, Webhook } from '../types';

export function WebhooksPage() {
  useTitle('Webhooks');
  const at = useFacilityPath();
  const [facility, setFacility] = useState<Facility>();
  const [hooks, setHooks] = useState<Webhook[]>();
  const [error, setError] = useState<string>();
  const [flash] = useState(peekFlash);
  useEffect(clearFlash, []);

  const load = useCallback(async () => {
    try {
      const [f, list] = await Promise.all([
        api<Facility>('GET', at('')),
        api<List<Webhook>>('GET', at('/webhooks?limit=100')),
      ]);
      setFacility(f);
      setHooks(list.objects);
      setError(undefined);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [at]);
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(load, 5000);

  const premium = facility?.plan === 'premium';
  return (
    <section className="page" aria-labelledby="webhooks-title">
      <div className="page-head">
        <h1 id="webhooks-title" tabIndex={-1}>
          Webhooks
        </h1>
        {premium && (
          <Link to={webhookNew} className="button primary">
            + Add webhook
          </Link>
        )}
      </div>
      <p className="lead">
        Webhooks notify other services — Zapier, Make, n8n, Slack, your own server — the moment a
        reservation or an online order changes. Each notification is an HTTP POST with Basic Auth
        carrying only <code>id</code>, <code>facility_id</code> and <code>action</code>; the details
        are fetched from the API.
      </p>
      {flash && (
        <Notice kind="success" live>
          <p>{flash.text}</p>
          {flash.secret && (
            <p className="secret-line">
              Signing secret, to verify the optional <code>webhook-signature</code> header:{' '}
              <code className="secret">{flash.secret}</code> <CopyButton text={flash.secret} />
            </p>
          )}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {facility && !premium && <PremiumRequired />}
      {!hooks ? (
        !error && <Loading what="webhooks" />
      ) : hooks.length === 0 ? (
        premium && (
          <div className="empty card">
            <p>
              <strong>No webhooks yet.</strong>
            </p>
            <p>
              Press <strong>+ Add webhook</strong> and give a target URL, a username, a password and
              the events to send.
            </p>
          </div>
        )
      ) : (
        <ul className="cards" aria-label="Webhooks">
          {hooks.map((w) => (
            <li key={w.id}>
              <WebhookCard webhook={w} premium={premium} onChange={load} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PremiumRequired() {
  return (
    <div className="notice notice-warning premium" role="note">
      <h2>Webhooks need the premium plan</h2>
      <p>
        <strong>Who can use this feature?</strong> Available starting with the PREMIUM plan.
      </p>
      <p>
        Your restaurant is on the free plan, so webhooks can't be added here. Once the plan is
        upgraded, come back to this page and press <strong>+ Add webhook</strong>. Webhooks set up
        before a downgrade are paused and keep their settings.
      </p>
    </div>
  );
}

function StateBadge({ webhook }: { webhook: Webhook }) {
  if (webhook.state === 'enabled') return <Badge tone="ok">Enabled</Badge>;
  if (webhook.state === 'paused') return <Badge tone="warn">Paused by plan</Badge>;
  return <Badge tone="bad">Disabled</Badge>;
}

function WebhookCard({
  webhook: w,
  premium,
  onChange,
}: {
  webhook: Webhook;
  premium: boolean;
  onChange: () => Promise<void>;
}) {
  const at = useFacilityPath();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const titleId = `wh-${w.id}`;

  async function act(run: () => Promise<unknown>) {
    setBusy(true);
    setResult(undefined);
    try {
      await run();
      await onChange();
    } catch (err) {
      setResult({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  async function sendTest() {
    setBusy(true);
    setResult({ ok: true, text: 'Sending a test…' });
    try {
      const { attempt } = await api<{ delivery: Delivery; attempt?: Attempt }>(
        'POST',
        at(`/webhooks/${w.id}/test`),
        {},
      );
      setResult(
        attempt
          ? testResult(attempt)
          : {
              ok: false,
              text: 'Test queued, but not sent yet: no dispatcher picked it up. It stays in the delivery log.',
            },
      );
      void onChange();
    } catch (err) {
      setResult({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card webhook" aria-labelledby={titleId}>
      <div className="webhook-head">
        <h2 id={titleId} className="webhook-url">
          {w.url}
        </h2>
        <StateBadge webhook={w} />
      </div>
      {w.state === 'disabled' && (
        <p className="state-reason">
          Disabled{w.disabled_at ? ` ${ago(w.disabled_at)}` : ''}:{' '}
          {w.disabled_reason ?? 'no reason given.'}
        </p>
      )}
      {w.state === 'paused' && (
        <p className="state-reason">Paused: webhooks need the premium plan.</p>
      )}
      {w.description && <p className="description">{w.description}</p>}
      <dl className="facts">
        <div>
          <dt>Events</dt>
          <dd>
            <ul className="chips">
              {w.events.map((e) => (
                <li key={e}>
                  <code>{e}</code>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Username</dt>
          <dd>{w.username}</dd>
        </div>
        <div>
          <dt>Last delivery</dt>
          <dd className="last-delivery">
            {w.last_delivery ? (
              <>
                <DeliveryStatusBadge
                  status={w.last_delivery.status}
                  code={w.last_delivery.status_code}
                />{' '}
                <code>{w.last_delivery.event}</code>{' '}
                <time dateTime={w.last_delivery.at} title={formatDateTime(w.last_delivery.at)}>
                  {ago(w.last_delivery.at)}
                </time>
              </>
            ) : (
              <span className="muted">No deliveries yet</span>
            )}
          </dd>
        </div>
      </dl>
      <div className="actions">
        <Link to={webhookLog(w.id)} className="button">
          Delivery log
        </Link>
        <Link to={webhookEdit(w.id)} className="button">
          Edit
        </Link>
        <button
          type="button"
          className="button"
          // Allowed on a disabled webhook too: check the receiver is back before enabling.
          disabled={busy || !premium}
          onClick={sendTest}
        >
          Send test
        </button>
        {w.enabled ? (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => act(() => api('PATCH', at(`/webhooks/${w.id}`), { enabled: false }))}
          >
            Disable
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={busy || !premium}
            onClick={() => act(() => api('PATCH', at(`/webhooks/${w.id}`), { enabled: true }))}
          >
            Enable
          </button>
        )}
        <ConfirmButton
          label="Delete"
          question="Delete this webhook and its delivery log?"
          confirmLabel="Delete webhook"
          disabled={busy}
          onConfirm={() => act(() => api('DELETE', at(`/webhooks/${w.id}`)))}
        />
      </div>
      <div className="test-result" role="status">
        {result && <p className={result.ok ? 'ok-text' : 'bad-text'}>{result.text}</p>}
      </div>
    </article>
  );
}

function testResult(a: Attempt): { ok: boolean; text: string } {
  const code = a.status_code ? `HTTP ${a.status_code}` : (a.error_class ?? 'no answer');
  if (a.success) return { ok: true, text: `Test delivered: ${code} in ${a.duration_ms} ms.` };
  const why = a.error_message ?? (a.response_body ? a.response_body.slice(0, 120) : '');
  return {
    ok: false,
    text: `Test failed: ${code} after ${a.duration_ms} ms${why ? ` — ${why}` : ''}.`,
  };
}
