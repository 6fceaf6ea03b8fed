// The delivery loop (kept apart from what it runs, as pg-boss's worker.ts): claim due
// deliveries in batches, send each within the global and per-webhook limits, record the
// outcomes in batches. Woken at once by commits (in-process) and NOTIFY (other processes);
// otherwise it sleeps until the next known due time or the safety-net poll.
import type { Insertable, Kysely } from 'kysely';
import type { Clock, Random } from '../clock.js';
import type { Config } from '../config.js';
import type { DialectProfile } from '../db/dialect.js';
import type { AttemptsTable, Database } from '../db/schema.js';
import type { Wakeup } from '../events/wakeup.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { DeliveryMetrics } from '../metrics/metrics.js';
import type { SecretBox } from '../security/secret-box.js';
import { afterAttempt, type DeliveryUpdate } from './next-state.js';
import { buildRequest, type PreparedTarget, prepareTarget } from './request.js';
import type { Outcome, Sender } from './sender.js';
import { type Claimed, claimDeliveries } from './sql/claim-deliveries.js';
import { completeDeliveries, type WebhookVerdict } from './sql/complete-deliveries.js';
import { loadWebhookTargets } from './sql/load-webhooks.js';
import { nextDueAt } from './sql/next-due.js';

export interface DispatcherDeps {
  store: { db: Kysely<Database>; profile: DialectProfile };
  config: Config;
  clock: Clock;
  random: Random;
  secretBox: SecretBox;
  sender: Sender;
  logger: Logger;
  wakeup: Wakeup;
  /** Counters and histograms per attempt (no I/O); absent in most tests. */
  metrics?: DeliveryMetrics;
}

/** Most deliveries one claim asks for. */
const MAX_BATCH = 200;
/**
 * A healthy webhook's local queue holds up to this many times its concurrency: with 8 in
 * flight and claims of 8, every 8 deliveries waited on a claim's round trip (docs/performance.md
 * "Why the misses"). A webhook is claimed for again once its queue is under half of that.
 */
const PREFETCH_FACTOR = 16;
/**
 * Everything held (queued, in flight, outcome not yet recorded), as a multiple of the global
 * limit: memory stays flat however large the backlog.
 */
const HELD_FACTOR = 8;
/**
 * Outcomes are gathered this long into one transaction (or until FLUSH_AT of them): the
 * triggers are already sent, only the log lags, and each transaction costs a commit.
 */
const FLUSH_AFTER_MS = 12;
const FLUSH_AT = 256;
/**
 * A queued delivery is only started while its lease outlasts the attempt's deadline by this
 * much (or by half of what the lease leaves beyond the deadline, when that is less); after
 * the lease another dispatcher may take it, and it would be sent twice at once.
 */
const LEASE_MARGIN_MS = 2_000;
const ERROR_BACKOFF_MS = 1_000;

interface Finished {
  delivery: Claimed;
  outcome: Outcome;
  update: DeliveryUpdate;
}

interface Queued {
  d: Claimed;
  t: PreparedTarget;
  leaseUntil: number;
}

interface WebhookSlots {
  active: number;
  queue: Queued[];
}

export class Dispatcher {
  readonly id: string;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /**
   * Deliveries this dispatcher holds (queued, in flight, or finished or released but not yet
   * written). If a lease runs out while an attempt is still going (a receiver slower than the
   * lease), the next claim may return the same delivery: it must not be sent twice by us,
   * nor its outcome written twice.
   */
  private readonly held = new Set<string>();
  private readonly perWebhook = new Map<string, WebhookSlots>();
  /**
   * Webhooks whose last attempt failed: they get no prefetch, only their concurrency, so that
   * a hanging receiver holds its own slots and not a deep queue of others' leases.
   */
  private readonly failing = new Set<string>();
  /** Webhooks with queued work that wait for a global slot, served in turn as slots free up. */
  private readonly waitingGlobal = new Set<string>();
  private readonly depth: number;
  private readonly lowWater: number;
  private readonly maxHeld: number;
  /** How long an attempt may still need from its start: its deadline plus a margin. */
  private readonly leaseNeededMs: number;
  /** The last claim could not ask for anything: everything we may hold is held. */
  private heldFull = false;
  /** Webhooks left out of the last claim because their queue was deep enough. */
  private excludedLastClaim = 0;
  private finished: Finished[] = [];
  private paused: string[] = [];
  /** Claimed but not to be sent by us (lease too short, receiver failing, stopping). */
  private released: string[] = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private signalled = false;
  private wakeSleeper: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private idle: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.id = newId(deps.random, 'dsp', 6);
    const { perWebhookConcurrency, globalConcurrency } = deps.config;
    this.depth = perWebhookConcurrency * PREFETCH_FACTOR;
    this.lowWater = Math.max(perWebhookConcurrency, this.depth >> 1);
    this.maxHeld = Math.max(globalConcurrency * HELD_FACTOR, this.depth);
    const { leaseMs, deliveryTimeoutMs } = deps.config;
    this.leaseNeededMs =
      deliveryTimeoutMs + Math.min(LEASE_MARGIN_MS, Math.max(0, leaseMs - deliveryTimeoutMs) / 2);
  }

  get activeCount(): number {
    return this.inFlight;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.wakeup.subscribe(() => this.signal());
    this.loopDone = this.loop();
  }

  /** Stop claiming, let in-flight attempts finish (each has a hard timeout), record them. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.signal();
    await this.loopDone;
    // Claimed but not yet started: hand them back so another dispatcher (or our successor)
    // sends them now rather than after the lease. Those in flight finish (each has a deadline).
    for (const w of this.perWebhook.values()) this.release(w);
    this.waitingGlobal.clear();
    await this.flush();
    while (this.inFlight > 0) await new Promise<void>((r) => this.idle.push(r));
    await this.flush();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Wake the loop: new work was committed, or a slot freed up. */
  signal(): void {
    this.signalled = true;
    this.wakeSleeper?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let wait: number;
      try {
        this.signalled = false;
        // A claim that got all it asked for, or filled a webhook's queue (whose backlog can
        // hide others' due work from the claim's walk), may have left due work behind.
        if (await this.fill()) continue;
        wait = await this.idleWait();
      } catch (err) {
        this.deps.logger.error({ err }, 'dispatcher: claim failed; retrying');
        wait = ERROR_BACKOFF_MS;
      }
      if (!this.signalled && this.running) await this.sleep(wait);
    }
  }

  /** How long to sleep: until the next known due delivery, at most one poll interval. */
  private async idleWait(): Promise<number> {
    const poll = this.deps.config.pollIntervalMs;
    if (this.heldFull) return poll;
    const now = this.deps.clock.now();
    // With webhooks left out of the claim, what is due now is theirs (the claim took the
    // rest): waking for it would spin. Their queues signal when they want more.
    const next = await nextDueAt(this.deps.store.db, this.excludedLastClaim > 0 ? now : undefined);
    if (next === undefined) return poll;
    return Math.max(0, Math.min(poll, next - now));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }

  /** A webhook's queue is claimed for while below this. */
  private threshold(webhookId: string): number {
    return this.failing.has(webhookId) ? this.deps.config.perWebhookConcurrency : this.lowWater;
  }

  /** Claims one batch; true when it is worth claiming again at once. */
  private async fill(): Promise<boolean> {
    const requested = Math.min(this.maxHeld - this.held.size, MAX_BATCH);
    this.heldFull = requested <= 0;
    if (this.heldFull) return false;
    const { config, clock, store } = this.deps;
    const excluded: string[] = [];
    for (const [id, w] of this.perWebhook) {
      if (w.active + w.queue.length >= this.threshold(id)) excluded.push(id);
    }
    const limited: string[] = [];
    for (const id of this.failing) if (!excluded.includes(id)) limited.push(id);
    this.excludedLastClaim = excluded.length;
    const now = clock.now();
    const leaseUntil = now + config.leaseMs;
    // What a webhook may add per claim: it is asked for only below the low-water mark, so
    // it never holds more than its depth.
    const perClaim = this.depth - this.lowWater;
    const claimed = await claimDeliveries(store.db, store.profile, {
      now,
      leaseUntil,
      dispatcherId: this.id,
      limit: requested,
      perWebhook: perClaim,
      excludeWebhooks: excluded,
      limitedWebhooks: limited,
      limitedTo: config.perWebhookConcurrency,
    });
    if (claimed.length === 0) return false;

    const ids = new Set<string>();
    for (const d of claimed) ids.add(d.webhook_id);
    const targets = await loadWebhookTargets(store.db, [...ids]);
    const prepared = new Map<string, PreparedTarget>();
    const counts = new Map<string, number>();
    for (const d of claimed) {
      if (this.held.has(d.id)) continue;
      const target = targets.get(d.webhook_id);
      if (!target?.active) {
        this.paused.push(d.id);
        continue;
      }
      let t = prepared.get(target.id);
      if (!t) {
        t = prepareTarget(target, this.deps.secretBox);
        prepared.set(target.id, t);
      }
      counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
      this.enqueue(d, t, leaseUntil);
    }
    for (const id of prepared.keys()) this.pump(id);
    if (this.paused.length > 0 || this.released.length > 0) this.scheduleFlush();
    let filledOne = false;
    for (const n of counts.values()) if (n >= perClaim) filledOne = true;
    return claimed.length >= requested || filledOne;
  }

  private enqueue(d: Claimed, t: PreparedTarget, leaseUntil: number): void {
    this.held.add(d.id);
    let w = this.perWebhook.get(t.id);
    if (!w) {
      w = { active: 0, queue: [] };
      this.perWebhook.set(t.id, w);
    }
    // A failing webhook gets no prefetch: what a claim brought beyond its slots goes back.
    if (
      this.failing.has(t.id) &&
      w.active + w.queue.length >= this.deps.config.perWebhookConcurrency
    ) {
      this.released.push(d.id);
      return;
    }
    w.queue.push({ d, t, leaseUntil });
  }

  /** Queued, not started: hands them back (written with the next flush). */
  private release(w: WebhookSlots): void {
    if (w.queue.length === 0) return;
    for (const q of w.queue) this.released.push(q.d.id);
    w.queue.length = 0;
    this.scheduleFlush();
  }

  private pump(webhookId: string): void {
    const w = this.perWebhook.get(webhookId);
    if (!w) return;
    const { perWebhookConcurrency, globalConcurrency } = this.deps.config;
    let startBy = 0;
    while (w.active < perWebhookConcurrency && w.queue.length > 0) {
      if (this.inFlight >= globalConcurrency) {
        this.waitingGlobal.add(webhookId);
        break;
      }
      const next = w.queue.shift()!;
      startBy ||= this.deps.clock.now() + this.leaseNeededMs;
      if (next.leaseUntil < startBy) {
        // It waited too long here: the lease could end mid-attempt. Back to the store.
        this.released.push(next.d.id);
        this.scheduleFlush();
        continue;
      }
      w.active++;
      this.inFlight++;
      void this.attempt(webhookId, w, next);
    }
    if (w.active === 0 && w.queue.length === 0) this.perWebhook.delete(webhookId);
  }

  /** A slot is free again: start the next ones, and wake the claim loop if it wants more. */
  private settled(webhookId: string, w: WebhookSlots): void {
    const before = w.active + w.queue.length;
    w.active--;
    this.inFlight--;
    this.pump(webhookId);
    if (this.waitingGlobal.size > 0 && this.inFlight < this.deps.config.globalConcurrency) {
      for (const id of this.waitingGlobal) {
        this.waitingGlobal.delete(id);
        this.pump(id);
        if (this.inFlight >= this.deps.config.globalConcurrency) break;
      }
    }
    if (this.inFlight === 0) for (const r of this.idle.splice(0)) r();
    const threshold = this.threshold(webhookId);
    if (before >= threshold && w.active + w.queue.length < threshold) this.signal();
  }

  private async attempt(webhookId: string, w: WebhookSlots, q: Queued): Promise<void> {
    const { clock, random, config, sender, logger } = this.deps;
    const d = q.d;
    try {
      const { headers, body } = buildRequest(q.t, d, clock.now());
      const outcome = await sender.send(q.t.url, headers, body);
      const update = afterAttempt(d, outcome, {
        scheduleSeconds: config.retrySchedule,
        random: random.float(),
        now: clock.now(),
      });
      this.finished.push({ delivery: d, outcome, update });
      if (outcome.success) {
        if (this.failing.size > 0) this.failing.delete(webhookId);
      } else {
        // Its queue would only wait behind timeouts, holding leases others could use.
        this.failing.add(webhookId);
        this.release(w);
      }
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
      this.scheduleFlush();
    } catch (err) {
      // Not sent or not recordable: left to its lease, after which it is due again.
      logger.error({ err, delivery: d.id }, 'dispatcher: attempt failed unexpectedly');
      this.held.delete(d.id);
    } finally {
      this.settled(webhookId, w);
    }
  }

  private scheduleFlush(): void {
    if (this.finished.length + this.paused.length + this.released.length >= FLUSH_AT) {
      void this.flush();
      return;
    }
    // Gather what finishes within a few milliseconds into one transaction.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_AFTER_MS);
  }

  /** Writes what has finished; one flush at a time. A failed write is kept and retried. */
  private async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.finished.length === 0 && this.paused.length === 0 && this.released.length === 0)
      return;
    const finished = this.finished;
    const paused = this.paused;
    const released = this.released;
    this.finished = [];
    this.paused = [];
    this.released = [];
    this.flushing = this.write(finished, paused, released)
      .catch((err) => {
        this.deps.logger.error(
          { err, count: finished.length },
          'dispatcher: recording outcomes failed; will retry',
        );
        this.finished.unshift(...finished);
        this.paused.unshift(...paused);
        this.released.unshift(...released);
        setTimeout(() => void this.flush(), ERROR_BACKOFF_MS).unref();
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private async write(finished: Finished[], paused: string[], released: string[]): Promise<void> {
    const verdicts = new Map<string, WebhookVerdict>();
    const attempts: Insertable<AttemptsTable>[] = [];
    const updates: DeliveryUpdate[] = [];
    for (const f of finished) {
      const o = f.outcome;
      attempts.push({
        delivery_id: f.delivery.id,
        webhook_id: f.delivery.webhook_id,
        started_at: o.startedAt,
        duration_ms: o.durationMs,
        status_code: o.statusCode,
        response_body: o.responseBody,
        error_class: o.errorClass,
        error_message: o.errorMessage,
        success: o.success ? 1 : 0,
        trigger: f.delivery.tries === 0 && f.delivery.attempt_count > 0 ? 'resend' : 'scheduled',
      });
      updates.push(f.update);
      let v = verdicts.get(f.delivery.webhook_id);
      if (!v) {
        v = {
          webhookId: f.delivery.webhook_id,
          succeeded: false,
          failedAt: undefined,
          gone: false,
        };
        verdicts.set(v.webhookId, v);
      }
      if (o.success) v.succeeded = true;
      else v.failedAt = Math.min(v.failedAt ?? o.startedAt, o.startedAt);
      if (o.statusCode === 410) v.gone = true;
    }
    const result = await completeDeliveries(
      this.deps.store.db,
      {
        leasedBy: this.id,
        now: this.deps.clock.now(),
        autoDisableAfterMs: this.deps.config.autoDisableAfterMs,
        attempts,
        updates,
        paused,
        released,
        verdicts: [...verdicts.values()],
      },
      this.deps.store.profile,
    );
    for (const f of finished) this.held.delete(f.delivery.id);
    for (const id of released) this.held.delete(id);
    // Released deliveries are due now, and a failed attempt's retry may fall due before the
    // loop's planned wake-up (it last asked while the lease still stood in the row).
    let retries = false;
    for (const u of updates) if (u.status === 'pending') retries = true;
    if (released.length > 0 || retries || (this.heldFull && this.held.size < this.maxHeld)) {
      this.heldFull = false;
      this.signal();
    }
    for (const d of result.disabled) {
      this.deps.logger.warn({ webhook: d.webhookId, reason: d.reason }, 'webhook disabled');
    }
  }
}
