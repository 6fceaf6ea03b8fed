// Settings > Integration > Developers > Webhooks: the list, with each webhook's state and
// its last delivery at a glance, and what can be done with it.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, messageOf, sentence } from '../api';
import { DeliveryStatusBadge } from '../components/delivery-status';
import {
  Badge,
  ConfirmButton,
  CopyButton,
  Link,
  Loading,
  Notice,
  useTitle,
} from '../components/ui';
import { RotationPanel } from '../components/webhook-rotation';
import { clearFlash, peekFlash } from '../flash';
import { ago, formatDateTime } from '../format';
import { webhookEdit, webhookLog, webhookNew } from '../paths';
import { keys, queryClient, useFacility } from '../query';
import { useFacilityPath, useSession } from '../session';
import type { Attempt, Delivery, List, RetryAllAnswer, Webhook } from '../types';

export function WebhooksPage() {
  useTitle('Webhooks');
  const at = useFacilityPath();
  const facilityId = useSession().session.facility.id;
  const [flash] = useState(peekFlash);
  useEffect(clearFlash, []);
  const facilityQuery = useFacility();
  // Health and last deliveries change on their own: the list polls while the tab is in front.
  const list = useQuery({
    queryKey: keys.webhooks(facilityId),
    queryFn: () => api<List<Webhook>>('GET', at('/webhooks?limit=100')),
    refetchInterval: 5_000,
  });
  const facility = facilityQuery.data;
  const hooks = list.data?.objects;
  const failed = facilityQuery.error ?? list.error;
  const error = failed ? messageOf(failed) : undefined;
  const heading = useRef<HTMLHeadingElement>(null);
  const load = () => queryClient.invalidateQueries({ queryKey: keys.webhooks(facilityId) });

  const premium = facility?.plan === 'premium';
  return (
    <section className="page" aria-labelledby="webhooks-title">
      <div className="page-head">
        <h1 id="webhooks-title" tabIndex={-1} ref={heading}>
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
              <WebhookCard
                webhook={w}
                premium={premium}
                onChange={load}
                // After a delete the card is gone: the keyboard goes to the page's heading.
                onDeleted={() => heading.current?.focus()}
              />
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

/** The webhook's state and health in one badge, in the API's words (health.state). */
function StateBadge({ webhook }: { webhook: Webhook }) {
  if (webhook.state === 'paused') return <Badge tone="warn">Paused by plan</Badge>;
  if (webhook.state === 'disabled') return <Badge tone="bad">Disabled</Badge>;
  if (webhook.health.state === 'failing') return <Badge tone="bad">Failing</Badge>;
  if (webhook.health.state === 'new') return <Badge tone="info">Enabled · no delivery yet</Badge>;
  return <Badge tone="ok">Enabled · healthy</Badge>;
}

function WebhookCard({
  webhook: w,
  premium,
  onChange,
  onDeleted,
}: {
  webhook: Webhook;
  premium: boolean;
  onChange: () => Promise<void>;
  onDeleted: () => void;
}) {
  const at = useFacilityPath();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const titleId = `wh-${w.id}`;

  async function act(run: () => Promise<unknown>, text?: (answer: unknown) => string) {
    setBusy(true);
    setResult(undefined);
    try {
      const answer = await run();
      if (text) setResult({ ok: true, text: text(answer) });
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
      const { attempt } = await api<{ delivery: Delivery; attempt?: Attempt | undefined }>(
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
        <span className="badges">
          {w.kind === 'subscription' && <Badge tone="info">Subscription (Zapier/Make)</Badge>}
          <StateBadge webhook={w} />
        </span>
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
      {w.state === 'enabled' && w.health.state === 'failing' && (
        <p className="state-reason health-summary">
          {sentence(w.health.summary)}
          {w.health.next_attempt_at && (
            <>
              {' '}
              (
              <time
                dateTime={w.health.next_attempt_at}
                title={formatDateTime(w.health.next_attempt_at)}
              >
                {ago(w.health.next_attempt_at)}
              </time>
              )
            </>
          )}
        </p>
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
          <dd>{w.username || <span className="muted">None (the URL carries its secret)</span>}</dd>
        </div>
        <div>
          <dt>Last delivery</dt>
          <dd className="last-delivery">
            {w.last_delivery ? (
              <>
                <DeliveryStatusBadge
                  status={w.last_delivery.status}
                  code={w.last_delivery.status_code}
                  // A pending delivery that has had an answer, or of a failing webhook, is
                  // retrying (amber), not a blue "Pending" that reads as fine.
                  attempts={
                    w.last_delivery.status_code !== null || w.health.state === 'failing' ? 1 : 0
                  }
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
        {/* A subscription belongs to the platform that made it (its Zap or scenario): it is
            turned off there, or deleted here, not edited. */}
        {w.kind !== 'subscription' && (
          <Link to={webhookEdit(w.id)} className="button">
            Edit
          </Link>
        )}
        {/* While busy, buttons are aria-disabled (not disabled): a disabled button loses the
            keyboard focus to <body>. The toggle keeps its element too (Disable ↔ Enable). */}
        <button
          type="button"
          className="button"
          // Allowed on a disabled webhook too: check the receiver is back before enabling.
          disabled={!premium}
          aria-disabled={busy}
          onClick={() => !busy && sendTest()}
        >
          Send test
        </button>
        {w.health.state === 'failing' && w.enabled && (
          <button
            type="button"
            className="button"
            aria-disabled={busy}
            onClick={() =>
              !busy &&
              act(
                () => api<RetryAllAnswer>('POST', at(`/webhooks/${w.id}/retry`), {}),
                (a) => {
                  const n = (a as RetryAllAnswer).retried;
                  return n === 0
                    ? 'No delivery was waiting for a retry.'
                    : `${n} ${n === 1 ? 'delivery is' : 'deliveries are'} being tried now.`;
                },
              )
            }
          >
            Retry now
          </button>
        )}
        <button
          key="toggle"
          type="button"
          className="button"
          disabled={!w.enabled && !premium}
          aria-disabled={busy}
          onClick={() =>
            !busy && act(() => api('PATCH', at(`/webhooks/${w.id}`), { enabled: !w.enabled }))
          }
        >
          {w.enabled ? 'Disable' : 'Enable'}
        </button>
        <ConfirmButton
          label="Delete"
          question="Delete this webhook and its delivery log?"
          confirmLabel="Delete webhook"
          disabled={busy}
          onConfirm={async () => {
            await act(() => api('DELETE', at(`/webhooks/${w.id}`)));
            onDeleted();
          }}
        />
      </div>
      <div className="test-result" role="status">
        {result && <p className={result.ok ? 'ok-text' : 'bad-text'}>{result.text}</p>}
      </div>
      <RotationPanel webhook={w} busy={busy} onChange={onChange} />
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
