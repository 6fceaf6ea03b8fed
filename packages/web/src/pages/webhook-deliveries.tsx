// A webhook's delivery log: newest first, every attempt on demand, a 24-hour chart, and
// resending — one delivery, or every failed one since a time.
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, messageOf, sentence } from '../api';
import { DeliveryChart } from '../components/delivery-chart';
import { DeliveryStatusBadge, isQueued, isRetrying } from '../components/delivery-status';
import { Field, Link, Loading, Notice, useTitle } from '../components/ui';
import { ago, formatDateTime, formatPrecise, isoToLocalInput, localInputToIso } from '../format';
import { WEBHOOKS, webhookEdit } from '../paths';
import { invalidateWebhook, keys } from '../query';
import { useFacilityPath, useSession } from '../session';
import type {
  Delivery,
  DeliveryWithAttempts,
  List,
  RecoverAnswer,
  RetryAllAnswer,
  Stats,
  Webhook,
} from '../types';

const PAGE = 50;
const DAY = 24 * 3_600_000;

export function WebhookDeliveriesPage({ id }: { id: string }) {
  useTitle('Delivery log');
  const at = useFacilityPath();
  const facility = useSession().session.facility.id;
  const base = at(`/webhooks/${encodeURIComponent(id)}`);
  const [limit, setLimit] = useState(PAGE);
  const gone = (err: unknown) => err instanceof ApiError && err.status === 404;
  // The log fills up as you watch, so it polls; the webhook's health and the chart change
  // more slowly. Every action below invalidates all three (and open attempt lists) at once.
  const webhook = useQuery({
    queryKey: keys.webhook(facility, id),
    queryFn: () => api<Webhook>('GET', base),
    refetchInterval: (q) => (gone(q.state.error) ? false : 15_000),
  });
  const missing = gone(webhook.error);
  const log = useQuery({
    queryKey: keys.deliveries(facility, id, limit),
    queryFn: () => api<List<Delivery>>('GET', `${base}/deliveries?limit=${limit}`),
    refetchInterval: missing ? false : 3_000,
    placeholderData: keepPreviousData,
    enabled: !missing,
  });
  const stats = useQuery({
    queryKey: keys.stats(facility, id),
    queryFn: () => api<Stats>('GET', `${base}/stats?hours=24`),
    refetchInterval: missing ? false : 15_000,
    enabled: !missing,
  });
  const changed = () => invalidateWebhook(facility, id);
  const error = [webhook.error, log.error, stats.error].find(Boolean);
  const w = webhook.data;

  if (missing) {
    return (
      <section className="page">
        <h1 tabIndex={-1}>Delivery log</h1>
        <Notice kind="error">This webhook does not exist (any more).</Notice>
        <Link to={WEBHOOKS}>Back to the webhooks</Link>
      </section>
    );
  }
  return (
    <section className="page" aria-labelledby="log-title">
      <div className="page-head">
        <div>
          <h1 id="log-title" tabIndex={-1}>
            Delivery log
          </h1>
          {w && <p className="webhook-url subtitle">{w.url}</p>}
        </div>
        <div className="actions">
          <Link to={WEBHOOKS} className="button">
            All webhooks
          </Link>
          <Link to={webhookEdit(id)} className="button">
            Edit
          </Link>
        </div>
      </div>
      {error && <Notice kind="error">{messageOf(error)}</Notice>}
      {w && w.state === 'paused' && (
        <Notice kind="warning">This webhook is paused: webhooks need the premium plan.</Notice>
      )}
      {w && w.state !== 'paused' && w.health.state !== 'healthy' && w.health.state !== 'new' && (
        <HealthNotice webhook={w} base={base} onDone={changed} />
      )}
      {stats.data && <DeliveryChart stats={stats.data} />}
      <Recover base={base} onDone={changed} />
      {!log.data ? (
        !error && <Loading what="deliveries" />
      ) : log.data.objects.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No deliveries yet.</strong> They appear here as soon as a chosen event happens,
            or when you send a test from the webhooks page.
          </p>
        </div>
      ) : (
        <>
          <ol className="deliveries" aria-label="Deliveries, newest first">
            {log.data.objects.map((d) => (
              <DeliveryRow key={d.id} delivery={d} base={base} webhookId={id} onChange={changed} />
            ))}
          </ol>
          {log.data.meta.total_count > log.data.objects.length && (
            <button
              type="button"
              className="button"
              onClick={() => setLimit((n) => Math.min(500, n + PAGE))}
              disabled={limit >= 500}
            >
              Show older deliveries ({log.data.meta.total_count - log.data.objects.length} more)
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** A failing or disabled webhook says so in the API's words, with "Retry now" for what waits. */
function HealthNotice({
  webhook: w,
  base,
  onDone,
}: {
  webhook: Webhook;
  base: string;
  onDone: () => Promise<void>;
}) {
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const retry = useMutation({
    mutationFn: () => api<RetryAllAnswer>('POST', `${base}/retry`, {}),
    onSuccess: ({ retried }) =>
      setResult({
        ok: true,
        text:
          retried === 0
            ? 'No delivery was waiting for a retry.'
            : `${retried} ${retried === 1 ? 'delivery is' : 'deliveries are'} being tried now.`,
      }),
    onError: (err) => setResult({ ok: false, text: messageOf(err) }),
    onSettled: onDone,
  });
  const h = w.health;
  const failing = h.state === 'failing';
  return (
    <div className={`notice notice-${failing ? 'error' : 'warning'} health`} role="note">
      <p>
        <strong>{failing ? 'This webhook is failing.' : 'This webhook is disabled.'}</strong>{' '}
        {sentence(h.summary)}
      </p>
      {failing && h.next_attempt_at && (
        <p>
          Next try{' '}
          <time dateTime={h.next_attempt_at} title={formatDateTime(h.next_attempt_at)}>
            {ago(h.next_attempt_at)}
          </time>
          . Fixed the receiver? Don't wait for it:
        </p>
      )}
      {!failing && <p>Enable it on the webhooks page to send what it holds.</p>}
      {failing && (
        <div className="actions">
          <button
            type="button"
            className="button"
            // Focus stays on the button while it works: aria-disabled, not disabled.
            aria-disabled={retry.isPending}
            onClick={() => !retry.isPending && retry.mutate()}
          >
            Retry all now
          </button>
          <span role="status" className={result?.ok === false ? 'bad-text' : 'ok-text'}>
            {result?.text}
          </span>
        </div>
      )}
    </div>
  );
}

function Recover({ base, onDone }: { base: string; onDone: () => Promise<void> }) {
  const [since, setSince] = useState(() =>
    isoToLocalInput(new Date(Date.now() - DAY).toISOString()),
  );
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const [fieldError, setFieldError] = useState<string>();
  const recover = useMutation({
    mutationFn: (at: string) => api<RecoverAnswer>('POST', `${base}/recover`, { since: at }),
    onSuccess: ({ resent, retried }) =>
      setResult({
        ok: true,
        text:
          resent + retried === 0
            ? 'No failed or retrying deliveries since then: nothing to send.'
            : [
                resent > 0 &&
                  `${resent} failed ${resent === 1 ? 'delivery is' : 'deliveries are'} being sent again`,
                retried > 0 &&
                  `${retried} retrying ${retried === 1 ? 'delivery is' : 'deliveries are'} being tried now`,
              ]
                .filter(Boolean)
                .join('; ')
                .concat('.'),
      }),
    onError: (err) => {
      if (err instanceof ApiError && err.field === 'since') setFieldError('Enter a date and time.');
      else setResult({ ok: false, text: messageOf(err) });
    },
    onSettled: onDone,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setResult(undefined);
    setFieldError(undefined);
    recover.mutate(since ? new Date(localInputToIso(since)).toISOString() : '');
  }

  return (
    <form className="card recover" onSubmit={submit} noValidate aria-labelledby="recover-title">
      <h2 id="recover-title">Resend failed since…</h2>
      <div className="inline-form">
        <Field
          id="recover-since"
          label="Failed and retrying deliveries created since"
          error={fieldError}
          hint="Failed ones are sent again; retrying ones are tried now, as the chart counts them."
        >
          {(p) => (
            <input
              {...p}
              type="datetime-local"
              value={since}
              onChange={(e) => setSince(e.target.value)}
            />
          )}
        </Field>
        <button
          type="submit"
          className="button"
          aria-disabled={recover.isPending}
          onClick={(e) => recover.isPending && e.preventDefault()}
        >
          Resend failed
        </button>
      </div>
      <div role="status">
        {result && <p className={result.ok ? 'ok-text' : 'bad-text'}>{result.text}</p>}
      </div>
    </form>
  );
}

const noun = (d: Delivery) => (d.resource_type === 'booking' ? 'booking' : 'order');

function resourceOf(d: Delivery): string {
  if (d.test) return 'Test';
  return `${d.resource_type === 'booking' ? 'Booking' : 'Order'} #${d.resource_id}`;
}

function DeliveryRow({
  delivery: d,
  base,
  webhookId,
  onChange,
}: {
  delivery: Delivery;
  base: string;
  webhookId: string;
  onChange: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const detailsId = `attempts-${d.id}`;
  const pending = d.status === 'pending';
  const retrying = isRetrying(d);
  const queued = isQueued(d.status);
  const url = `${base}/deliveries/${encodeURIComponent(d.id)}`;
  // Resend sends a finished delivery again; Retry now makes one waiting for its next retry
  // due at once (it keeps its place in its resource's line).
  const action = useMutation({
    mutationFn: (kind: 'resend' | 'retry') => api<Delivery>('POST', `${url}/${kind}`, {}),
    onMutate: () => setMessage(undefined),
    onSuccess: (_, kind) =>
      setMessage({
        ok: true,
        text: kind === 'retry' ? 'Trying again now.' : 'Queued: sending again now.',
      }),
    onError: (err) => setMessage({ ok: false, text: messageOf(err) }),
    onSettled: onChange,
  });
  const busy = action.isPending;

  return (
    <li
      className={`card delivery status-${isRetrying(d) ? 'retrying' : d.status}`}
      data-delivery-id={d.id}
    >
      <div className="delivery-main">
        <DeliveryStatusBadge status={d.status} attempts={d.attempt_count} />
        <code className="event">{d.event}</code>
        <span className="resource">{resourceOf(d)}</span>
        <time dateTime={d.created_at} title={formatDateTime(d.created_at)} className="muted">
          {ago(d.created_at)}
        </time>
      </div>
      <p className="delivery-meta">
        {d.attempt_count} {d.attempt_count === 1 ? 'attempt' : 'attempts'}
        {d.last_status_code !== null && <> · last answer HTTP {d.last_status_code}</>}
        {/* Without an HTTP answer, the error class says why: timeout, connection_refused… */}
        {d.last_error && d.last_status_code === null && d.status !== 'succeeded' && (
          <> · {d.last_error.replace(/_/g, ' ')}</>
        )}
        {pending && d.next_attempt_at && d.attempt_count > 0 && (
          <> · next try {ago(d.next_attempt_at)}</>
        )}
        {d.event_count > 1 && <> · stands for {d.event_count} updates</>}
        {d.status === 'blocked' && (
          <> · waits until the earlier delivery about this {noun(d)} is done</>
        )}
        {d.status === 'superseded' && (
          <>
            {' '}
            · {d.attempt_count > 0 ? 'not tried again' : 'not sent'}: the {noun(d)} was deleted
            meanwhile
            {d.superseded_by && (
              <>
                {' '}
                (<code>{d.superseded_by}</code>)
              </>
            )}
          </>
        )}
        {d.status === 'expired' && <> · not retried: older than the webhook's age limit</>}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button small"
          aria-expanded={open}
          aria-controls={detailsId}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Hide attempts' : 'Show attempts'}
        </button>
        {retrying ? (
          <button
            type="button"
            className="button small"
            aria-disabled={busy}
            onClick={() => !busy && action.mutate('retry')}
          >
            Retry now
          </button>
        ) : (
          <button
            type="button"
            className="button small"
            // Waiting in line or held: it goes out on its own; aria-disabled keeps it
            // focusable (and explained) instead of dropping the keyboard to <body>.
            aria-disabled={busy || queued}
            title={queued ? 'Not sent yet: it goes out on its own' : undefined}
            onClick={() => !busy && !queued && action.mutate('resend')}
          >
            Resend
          </button>
        )}
        <span role="status" className={message?.ok === false ? 'bad-text' : 'ok-text'}>
          {message?.text}
        </span>
      </div>
      {open && <Attempts id={detailsId} url={url} webhookId={webhookId} delivery={d} />}
    </li>
  );
}

function Attempts({
  id,
  url,
  webhookId,
  delivery,
}: {
  id: string;
  url: string;
  webhookId: string;
  delivery: Delivery;
}) {
  const facility = useSession().session.facility.id;
  // Refetched when the log shows another attempt, and with everything of the webhook after
  // a Resend or Retry (the key is under the webhook's).
  const q = useQuery({
    queryKey: [...keys.attempts(facility, webhookId, delivery.id), delivery.attempt_count],
    queryFn: () => api<DeliveryWithAttempts>('GET', url),
    placeholderData: keepPreviousData,
  });
  const attempts = q.data?.attempts;
  const error = q.error ? messageOf(q.error) : undefined;
  return (
    <div id={id} className="attempts">
      {error && <Notice kind="error">{error}</Notice>}
      {!attempts ? (
        !error && <Loading what="attempts" />
      ) : attempts.length === 0 ? (
        <p className="muted">No attempt yet.</p>
      ) : (
        <ol aria-label="Attempts, newest first">
          {[...attempts].reverse().map((a) => (
            <li key={a.id} className={a.success ? 'attempt ok' : 'attempt bad'}>
              <div className="attempt-head">
                <strong>
                  {a.status_code ? `HTTP ${a.status_code}` : (a.error_class ?? 'no answer')}
                </strong>
                <span>{a.success ? 'success' : 'failure'}</span>
                <time dateTime={a.started_at}>{formatPrecise(a.started_at)}</time>
                <span>{a.duration_ms} ms</span>
                <span className="muted">{a.trigger}</span>
                {a.credentials && (
                  <span className="muted">
                    {a.credentials === 'new' ? 'new password' : 'old password'}
                  </span>
                )}
              </div>
              {a.error_message && a.error_class !== 'http_status' && (
                <p className="bad-text">{a.error_message}</p>
              )}
              {a.response_body && (
                <pre className="excerpt">
                  {a.response_body.length > 500
                    ? `${a.response_body.slice(0, 500)}…`
                    : a.response_body}
                </pre>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
