// The dispatcher: a claim loop (loop.ts) feeds a local queue (local-queue.ts) whose lanes
// send within the per-webhook and global limits; each attempt's outcome joins a batch
// (outcome-batch.ts) that the queue writes in one transaction. Woken at once by commits
// (in-process) and NOTIFY (other processes); otherwise it sleeps until the next known due
// time or the safety-net poll.
import type { Insertable, Kysely } from 'kysely';
import type { Clock, Random } from '../clock.js';
import type { Config } from '../config.js';
import type { DialectProfile } from '../db/dialect.js';
import type { AttemptsTable, Database } from '../db/schema.js';
import type { Wakeup } from '../events/wakeup.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { DeliveryMetrics } from '../metrics/metrics.js';
import type { DeliveryQueue } from '../queue/queue.js';
import type { Claimed } from '../queue/types.js';
import type { SecretBox } from '../security/secret-box.js';
import { LocalQueue, type Queued, type Settled } from './local-queue.js';
import { Loop } from './loop.js';
import { Membership } from './membership.js';
import { afterAttempt } from './next-state.js';
import { OutcomeBatch, type Pending } from './outcome-batch.js';
import { buildRequest, type PreparedTarget, PreparedTargets } from './request.js';
import type { Outcome } from './sender.js';
import type { Senders } from './senders.js';
import { loadWebhookTargets } from './sql/load-webhooks.js';
import { verdicts, webhookHealth } from './webhook-health.js';

export interface DispatcherDeps {
  /** Reads the claimed deliveries' webhooks (fresh each claim, so edits apply at once). */
  store: { db: Kysely<Database>; profile: DialectProfile };
  queue: DeliveryQueue;
  config: Config;
  clock: Clock;
  random: Random;
  secretBox: SecretBox;
  sender: Senders;
  logger: Logger;
  wakeup: Wakeup;
  /** The base of the Link header (TABLEHOOKS_PUBLIC_URL, or where the API is served). */
  publicUrl: () => string;
  /** Counters and histograms per attempt (no I/O); absent in most tests. */
  metrics?: DeliveryMetrics;
}

/** Most deliveries one claim asks for. */
const MAX_BATCH = 200;
/** Outcomes are gathered this long into one transaction, or until FLUSH_AT of them. */
const FLUSH_AFTER_MS = 12;
const FLUSH_AT = 256;
/**
 * A queued delivery is only started while its lease outlasts the attempt's deadline by this
 * much (or by half of what the lease leaves beyond the deadline, when that is less); after
 * the lease another dispatcher may take it, and it would be sent twice at once.
 */
const LEASE_MARGIN_MS = 2_000;
const ERROR_BACKOFF_MS = 1_000;
/** How often a dispatcher says it is alive; three missed beats and the others take over. */
const HEARTBEAT_MS = 2_000;

type AttemptRow = Insertable<AttemptsTable>;

function attemptRow(d: Claimed, o: Outcome, credentials: 'new' | 'old' | null): AttemptRow {
  return {
    delivery_id: d.id,
    webhook_id: d.webhook_id,
    started_at: o.startedAt,
    duration_ms: o.durationMs,
    status_code: o.statusCode,
    response_body: o.responseBody,
    error_class: o.errorClass,
    error_message: o.errorMessage,
    success: o.success ? 1 : 0,
    trigger: triggerOf(d),
    credentials,
  };
}

/** Why an attempt was made, for the delivery log. */
function triggerOf(d: Claimed): 'test' | 'resend' | 'scheduled' {
  if (d.is_test) return 'test';
  // A resend starts a new cycle of tries on a delivery that had attempts before.
  return d.tries === 0 && d.attempt_count > 0 ? 'resend' : 'scheduled';
}

export class Dispatcher {
  readonly id: string;
  private readonly loop: Loop;
  private readonly local: LocalQueue;
  private readonly outcomes: OutcomeBatch;
  private readonly membership: Membership;
  /** Decrypted secrets and built headers per webhook, kept while its row is unchanged. */
  private readonly targets = new PreparedTargets();
  /** How long an attempt may still need from its start: its deadline plus a margin. */
  private readonly leaseNeededMs: number;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: DispatcherDeps) {
    this.id = newId(deps.random, 'dsp', 6);
    const { leaseMs, deliveryTimeoutMs } = deps.config;
    this.leaseNeededMs =
      deliveryTimeoutMs + Math.min(LEASE_MARGIN_MS, Math.max(0, leaseMs - deliveryTimeoutMs) / 2);
    this.loop = new Loop({
      fetch: () => this.fill(),
      idleWait: () => this.idleWait(),
      onError: (err) => deps.logger.error({ err }, 'dispatcher: claim failed; retrying'),
      errorBackoffMs: ERROR_BACKOFF_MS,
    });
    this.membership = new Membership({
      id: this.id,
      clock: deps.clock,
      logger: deps.logger,
      intervalMs: HEARTBEAT_MS,
      beat: (startedAt, now, liveAfter) =>
        deps.queue.heartbeat({ id: this.id, startedAt, now, liveAfter }),
      leave: () => deps.queue.leave(this.id),
      onChange: () => {
        // A chain holds a slot of its webhook until it ends: with shares changed, the slots
        // it holds may be another dispatcher's now. Its rest comes back to the store.
        deps.sender.halt();
        this.local.rebalance();
        this.signal();
      },
    });
    this.local = new LocalQueue({
      perWebhookConcurrency: deps.config.perWebhookConcurrency,
      share: (webhookId) => this.membership.share(webhookId, deps.config.perWebhookConcurrency),
      globalConcurrency: deps.config.globalConcurrency,
      leaseNeededMs: this.leaseNeededMs,
      clock: deps.clock,
      start: (webhookId, chain) => void this.attempts(webhookId, chain),
      release: (ds) => this.outcomes.released(ds),
      wantMore: () => this.signal(),
    });
    this.outcomes = new OutcomeBatch({
      write: (batch) => this.write(batch),
      logger: deps.logger,
      flushAfterMs: FLUSH_AFTER_MS,
      flushAt: FLUSH_AT,
      retryAfterMs: ERROR_BACKOFF_MS,
    });
  }

  get activeCount(): number {
    return this.local.inFlight;
  }

  start(): void {
    if (this.loop.state === 'active') return;
    this.local.reopen();
    this.membership.start();
    this.unsubscribe = this.deps.wakeup.subscribe(() => this.signal());
    this.loop.start();
  }

  /** Stop claiming, let in-flight attempts finish (each has a hard timeout), record them. */
  async stop(): Promise<void> {
    if (this.loop.state !== 'active') return;
    this.unsubscribe?.();
    await this.loop.stop();
    this.local.drain();
    // Chains running start nothing more: what they have left goes back with the queues.
    this.deps.sender.halt();
    await this.outcomes.flush();
    await this.local.close();
    await this.outcomes.flush();
    this.outcomes.close();
    await this.membership.stop();
  }

  /** Wake the loop: new work was committed, or a slot freed up. */
  signal(): void {
    this.loop.notify();
  }

  /** How long to sleep: until the next known due delivery, at most one poll interval. */
  private async idleWait(): Promise<number> {
    const poll = this.deps.config.pollIntervalMs;
    if (this.local.mode === 'FULL') return poll;
    const now = this.deps.clock.now();
    // With webhooks left out of the claim, what is due now is theirs (the claim took the
    // rest): waking for it would spin. Their lanes signal when they want more.
    const next = await this.deps.queue.nextDueAt(
      this.local.excludedLastClaim > 0 ? now : undefined,
    );
    if (next === undefined) return poll;
    return Math.max(0, Math.min(poll, next - now));
  }

  /** Claims one batch; true when it is worth claiming again at once. */
  private async fill(): Promise<boolean> {
    // Our share of each webhook is known only once we know who else is there.
    await this.membership.ready;
    const wish = this.local.wish(MAX_BATCH);
    if (!wish) return false;
    const { config, clock, queue, store } = this.deps;
    const now = clock.now();
    const leaseUntil = now + config.leaseMs;
    const claimed = await queue.claim({
      now,
      leaseUntil,
      dispatcherId: this.id,
      limit: wish.limit,
      perWebhook: wish.perWebhook,
      excludeWebhooks: wish.excluded,
      limitedWebhooks: wish.limited,
      limitedTo: wish.limitedTo,
    });
    if (claimed.length === 0) return false;

    const ids = new Set<string>();
    for (const d of claimed) ids.add(d.webhook_id);
    const targets = await loadWebhookTargets(store.db, store.profile.name, [...ids]);
    const prepared = new Map<string, PreparedTarget>();
    const counts = new Map<string, number>();
    for (const d of claimed) {
      if (this.local.isHeld(d.id)) continue;
      const target = targets.get(d.webhook_id);
      if (!target) continue; // deleted with its deliveries meanwhile
      // A test goes out even on a disabled webhook: somebody is waiting for its result.
      if (!target.active && d.is_test === 0) {
        this.outcomes.paused(d);
        continue;
      }
      let t = prepared.get(target.id);
      if (!t) {
        try {
          t = this.targets.get(target, this.deps.secretBox, this.deps.publicUrl(), now);
        } catch (err) {
          // Its secrets don't open here (a key that differs between processes, a row copied
          // by hand): a failed attempt in the log, retried on the schedule — and the rest of
          // the claim goes on.
          this.deps.logger.error({ err, webhook: target.id }, 'dispatcher: cannot open secrets');
          this.unopenable(d, target.max_age_hours);
          continue;
        }
        prepared.set(target.id, t);
      }
      // Only what was kept counts: work handed back (no share here) is not worth a reclaim.
      if (this.local.add(d, t, leaseUntil)) counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
    }
    for (const id of prepared.keys()) this.local.pump(id);
    let filledOne = false;
    for (const n of counts.values()) if (n >= wish.perWebhook) filledOne = true;
    // A claim that got all it asked for, or filled a webhook's lane (whose backlog can hide
    // others' due work from the claim's walk), may have left due work behind.
    return claimed.length >= wish.limit || filledOne;
  }

  /** A delivery whose webhook's secrets can't be decrypted: a failed attempt, nothing sent. */
  private unopenable(d: Claimed, maxAgeHours: number | null): void {
    const { clock, config, random } = this.deps;
    const now = clock.now();
    const outcome: Outcome = {
      startedAt: now,
      durationMs: 0,
      statusCode: null,
      responseBody: null,
      errorClass: 'credentials',
      errorMessage:
        "the webhook's password or signing secret could not be decrypted with this process's " +
        'TABLEHOOKS_SECRET_KEY; nothing was sent',
      success: false,
      retryAfter: undefined,
    };
    const update = afterAttempt(d, outcome, {
      scheduleSeconds: config.retrySchedule,
      random: random.float(),
      now,
      maxAgeMs: maxAgeHours === null ? undefined : maxAgeHours * 3_600_000,
    });
    this.outcomes.finished({ delivery: d, outcome, update });
  }

  /**
   * One slot's chain of attempts (most are one long): each outcome is recorded as it comes;
   * a failure ends the chain, and what it did not attempt goes back to the store, due where
   * it was.
   */
  private async attempts(webhookId: string, chain: Queued[]): Promise<void> {
    const { clock, sender, logger } = this.deps;
    /** Deliveries of the chain whose outcome is recorded or that went back, in order. */
    let handled = 0;
    let progressed = 0;
    let settled: Settled | undefined;
    try {
      const now = clock.now();
      const items = chain.map((q) => ({
        url: q.t.url,
        ...buildRequest(q.t, q.d, now),
        startWithinMs: q.leaseUntil - this.leaseNeededMs - now,
      }));
      let failed: Outcome | undefined;
      const attempted = await sender.chain(items, (i, outcome) => {
        // Not a success: the chain ends here; its record waits for a possible retry with
        // the old credentials, below.
        if (!outcome.success) {
          failed = outcome;
          return;
        }
        settled = this.record(chain[i]!, outcome, undefined);
        handled++;
        progressed++;
        this.local.progress(webhookId);
      });
      if (failed) {
        const q = chain[handled]!;
        let outcome: Outcome = failed;
        let refused: Outcome | undefined;
        const fallback = q.t.fallbackAuthorization;
        // Credentials rotating and the new ones refused: the old ones at once, if the lease
        // leaves time for a second attempt.
        if (
          fallback &&
          (outcome.statusCode === 401 || outcome.statusCode === 403) &&
          q.leaseUntil - clock.now() > this.leaseNeededMs
        ) {
          refused = outcome;
          const { headers, body } = items[handled]!;
          headers.authorization = fallback;
          outcome = await sender.send(q.t.url, headers, body);
        }
        settled = this.record(q, outcome, refused);
        handled++;
      }
      // Not attempted (a lease too short by now, or the chain halted): back to the store.
      if (attempted < chain.length) {
        this.outcomes.released(chain.slice(attempted).map((q) => q.d));
        handled = chain.length;
      }
    } catch (err) {
      // Not sent or not recordable: left to its lease, after which it is due again.
      const lost = chain.slice(handled).map((q) => q.d.id);
      logger.error({ err, deliveries: lost }, 'dispatcher: attempt failed unexpectedly');
      this.local.forget(lost);
    } finally {
      this.local.settled(webhookId, settled, chain.length - progressed);
    }
  }

  /** An attempt's outcome: the delivery's next state, into the batch the queue writes. */
  private record(q: Queued, outcome: Outcome, refused: Outcome | undefined): Settled {
    const { clock, random, config, logger } = this.deps;
    const d = q.d;
    const update = afterAttempt(d, outcome, {
      scheduleSeconds: config.retrySchedule,
      random: random.float(),
      now: clock.now(),
      maxAgeMs: q.t.maxAgeMs,
    });
    this.deps.metrics?.observeAttempt(d, outcome, update.status);
    // One line per attempt: ids, status and timing only; never the body or the credentials.
    // The check first: at the usual level (warn) the line's object is never built.
    if (logger.isLevelEnabled('info')) {
      logger.info(
        {
          delivery: d.id,
          webhook: d.webhook_id,
          event: d.event,
          status: outcome.statusCode,
          error: outcome.errorClass,
          duration_ms: outcome.durationMs,
          outcome: update.status,
        },
        'delivery attempt',
      );
    }
    if (refused) update.attempt_count++;
    const credentials = q.t.fallbackAuthorization ? (refused ? 'old' : 'new') : null;
    this.outcomes.finished({ delivery: d, outcome, update, refused, credentials });
    return {
      succeeded: outcome.success,
      answered: outcome.statusCode !== null,
      timedOut: outcome.errorClass === 'timeout',
    };
  }

  private async write({ finished, paused, released }: Pending): Promise<void> {
    const { clock, config, queue } = this.deps;
    const attempts: AttemptRow[] = [];
    for (const f of finished) {
      if (f.refused) attempts.push(attemptRow(f.delivery, f.refused, 'new'));
      attempts.push(attemptRow(f.delivery, f.outcome, f.credentials ?? null));
    }
    const now = clock.now();
    const policy = { now, autoDisableAfterMs: config.autoDisableAfterMs };
    const result = await queue.complete({
      leasedBy: this.id,
      now,
      attempts,
      updates: finished.map((f) => f.update),
      paused,
      released,
      finals: finished
        .filter((f) => f.update.status !== 'pending' && f.delivery.is_test === 0)
        .map(({ delivery: d }) => ({
          webhookId: d.webhook_id,
          resourceType: d.resource_type,
          resourceId: d.resource_id,
        })),
      // A test's answer says nothing about the webhook's health: a 410 to a test does not
      // disable it, nor does a test's success end a failing streak of real deliveries.
      verdicts: verdicts(
        finished
          .filter((f) => f.delivery.is_test === 0)
          .map((f) => ({ webhookId: f.delivery.webhook_id, outcome: f.outcome })),
      ),
      judge: (state, verdict) => webhookHealth(state, verdict, policy),
    });
    this.local.forget(finished.map((f) => f.delivery.id));
    this.local.forget(released.map((r) => r.id));
    // Released deliveries are due now, and a failed attempt's retry may fall due before the
    // loop's planned wake-up (it last asked while the lease still stood in the row).
    let retries = false;
    for (const f of finished) if (f.update.status === 'pending') retries = true;
    if (released.length > 0 || retries || result.promoted > 0 || this.local.roomMade) {
      this.signal();
    }
    for (const d of result.disabled) {
      this.deps.logger.warn({ webhook: d.webhookId, reason: d.reason }, 'webhook disabled');
    }
  }
}
