// A webhook's delivery log: newest first, every attempt on demand, a 24-hour chart, and
// resending — one delivery, or every failed one since a time.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api, messageOf } from '../api';
import { DeliveryChart } from '../components/delivery-chart';
import { DeliveryStatusBadge, isQueued, isRetrying } from '../components/delivery-status';
import { Field, Link, Loading, Notice, usePolling, useTitle } from '../components/ui';
import { ago, formatDateTime, formatPrecise, isoToLocalInput, localInputToIso } from '../format';
import { WEBHOOKS, webhookEdit } from '../paths';
import { useFacilityPath } from '../session';
import type { Attempt, Delivery, List, Webhook } from '../types';

const PAGE = 50;
const DAY = 24 * 3_600_000;

export function WebhookDeliveriesPage({ id }: { id: string }) {
  useTitle('Delivery log');
  const at = useFacilityPath();
  const base = at(`/webhooks/${encodeURIComponent(id)}`);
  const [webhook, setWebhook] = useState<Webhook>();
  const [log, setLog] = useState<List<Delivery>>();
  const [day, setDay] = useState<List<Delivery>>();
  const [limit, setLimit] = useState(PAGE);
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState(false);

  const load = useCallback(async () => {
    try {
      const since = new Date(Date.now() - DAY).toISOString();
      const [w, l, d] = await Promise.all([
        api<Webhook>('GET', base),
        api<List<Delivery>>('GET', `${base}/deliveries?limit=${limit}`),
        api<List<Delivery>>(
          'GET',
          `${base}/deliveries?limit=500&since=${encodeURIComponent(since)}`,
        ),
      ]);
      setWebhook(w);
      setLog(l);
      setDay(d);
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      setError(messageOf(err));
    }
  }, [base, limit]);
  useEffect(() => {
    void load();
  }, [load]);
  usePolling(() => !missing && load(), 2000);

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
          {webhook && <p className="webhook-url subtitle">{webhook.url}</p>}
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
      {error && <Notice kind="error">{error}</Notice>}
      {webhook && webhook.state !== 'enabled' && (
        <Notice kind="warning">
          {webhook.state === 'paused'
            ? 'This webhook is paused: webhooks need the premium plan.'
            : `This webhook is disabled: ${webhook.disabled_reason ?? 'no reason given.'} Enable it on the webhooks page to resend.`}
        </Notice>
      )}
      {day && <DeliveryChart deliveries={day.objects} partial={day.meta.total_count > 500} />}
      <Recover base={base} onDone={load} />
      {!log ? (
        !error && <Loading what="deliveries" />
      ) : log.objects.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No deliveries yet.</strong> They appear here as soon as a chosen event happens,
            or when you send a test from the webhooks page.
          </p>
        </div>
      ) : (
        <>
          <ol className="deliveries" aria-label="Deliveries, newest first">
            {log.objects.map((d) => (
              <DeliveryRow key={d.id} delivery={d} base={base} onChange={load} />
            ))}
          </ol>
          {log.meta.total_count > log.objects.length && (
            <button
              type="button"
              className="button"
              onClick={() => setLimit((n) => Math.min(500, n + PAGE))}
              disabled={limit >= 500}
            >
              Show older deliveries ({log.meta.total_count - log.objects.length} more)
            </button>
          )}
        </>
      )}
    </section>
  );
}

function Recover({ base, onDone }: { base: string; onDone: () => Promise<void> }) {
  const [since, setSince] = useState(() =>
    isoToLocalInput(new Date(Date.now() - DAY).toISOString()),
  );
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    setFieldError(undefined);
    try {
      const { recovered } = await api<{ recovered: number }>('POST', `${base}/recover`, {
        since: since ? new Date(localInputToIso(since)).toISOString() : '',
      });
      setResult({
        ok: true,
        text:
          recovered === 0
            ? 'No failed deliveries since then: nothing to resend.'
            : `${recovered} failed ${recovered === 1 ? 'delivery is' : 'deliveries are'} being sent again.`,
      });
      await onDone();
    } catch (err) {
      if (err instanceof ApiError && err.field === 'since') setFieldError('Enter a date and time.');
      else setResult({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card recover" onSubmit={submit} noValidate aria-labelledby="recover-title">
      <h2 id="recover-title">Resend failed since…</h2>
      <div className="inline-form">
        <Field id="recover-since" label="Failed deliveries created since" error={fieldError}>
          {(p) => (
            <input
              {...p}
              type="datetime-local"
              value={since}
              onChange={(e) => setSince(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={busy}>
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
  onChange,
}: {
  delivery: Delivery;
  base: string;
  onChange: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const detailsId = `attempts-${d.id}`;
  const pending = d.status === 'pending';
  const queued = isQueued(d.status);

  async function resend() {
    setBusy(true);
    setMessage(undefined);
    try {
      await api('POST', `${base}/deliveries/${encodeURIComponent(d.id)}/resend`, {});
      setMessage({ ok: true, text: 'Queued: sending again now.' });
      await onChange();
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

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
        <button
          type="button"
          className="button small"
          onClick={resend}
          disabled={busy || queued}
          title={queued ? 'Already queued' : undefined}
        >
          Resend
        </button>
        <span role="status" className={message?.ok === false ? 'bad-text' : 'ok-text'}>
          {message?.text}
        </span>
      </div>
      {open && (
        <Attempts
          id={detailsId}
          url={`${base}/deliveries/${encodeURIComponent(d.id)}`}
          version={d.attempt_count}
        />
      )}
    </li>
  );
}

function Attempts({ id, url, version }: { id: string; url: string; version: number }) {
  const [attempts, setAttempts] = useState<Attempt[]>();
  const [error, setError] = useState<string>();
  // Refetched whenever the log shows another attempt.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the refetch trigger
  useEffect(() => {
    let live = true;
    api<Delivery & { attempts: Attempt[] }>('GET', url).then(
      (d) => live && setAttempts(d.attempts),
      (err) => live && setError(messageOf(err)),
    );
    return () => {
      live = false;
    };
  }, [url, version]);
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
