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
import { releaseDeliveries } from './sql/release-deliveries.js';

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

const MAX_BATCH = 200;
const FLUSH_AT = 100;
const ERROR_BACKOFF_MS = 1_000;

interface Finished {
  delivery: Claimed;
  outcome: Outcome;
  update: DeliveryUpdate;
}

export class Dispatcher {
  readonly id: string;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /**
   * Deliveries this dispatcher holds (queued or in flight) and whose outcome is not yet
   * recorded. If a lease runs out while an attempt is still going (a receiver slower than
   * the lease), the next claim may return the same delivery: it must not be sent twice by
   * us, nor its outcome written twice.
   */
  private readonly held = new Set<string>();
  private readonly perWebhook = new Map<
    string,
    { active: number; queue: { d: Claimed; t: PreparedTarget }[] }
  >();
  private finished: Finished[] = [];
  private paused: string[] = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private signalled = false;
  private wakeSleeper: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private idle: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.id = newId(deps.random, 'dsp', 6);
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
    const queued: string[] = [];
    for (const w of this.perWebhook.values()) queued.push(...w.queue.splice(0).map((q) => q.d.id));
    for (const id of queued) this.held.delete(id);
    try {
      await releaseDeliveries(this.deps.store.db, queued, this.id, this.deps.clock.now());
    } catch (err) {
      this.deps.logger.warn(
        { err, count: queued.length },
        'dispatcher: could not release claims; they return after the lease',
      );
    }
    while (this.inFlight > 0) await new Promise<void>((r) => this.idle.push(r));
    await this.flush();
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
        const { claimed, requested } = await this.fill();
        if (claimed > 0 && claimed === requested) continue;
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
    if (this.freeSlots() <= 0) return poll;
    const next = await nextDueAt(this.deps.store.db);
    if (next === undefined) return poll;
    return Math.max(0, Math.min(poll, next - this.deps.clock.now()));
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

  private freeSlots(): number {
    let queued = 0;
    for (const w of this.perWebhook.values()) queued += w.queue.length;
    return this.deps.config.globalConcurrency - this.inFlight - queued;
  }

  private async fill(): Promise<{ claimed: number; requested: number }> {
    const requested = Math.min(this.freeSlots(), MAX_BATCH);
    if (requested <= 0) return { claimed: 0, requested };
    const { config, clock, store } = this.deps;
    const saturated: string[] = [];
    for (const [id, w] of this.perWebhook) {
      if (w.active + w.queue.length >= config.perWebhookConcurrency) saturated.push(id);
    }
    const now = clock.now();
    const claimed = await claimDeliveries(store.db, store.profile, {
      now,
      leaseUntil: now + config.leaseMs,
      dispatcherId: this.id,
      limit: requested,
      perWebhook: config.perWebhookConcurrency,
      excludeWebhooks: saturated,
    });
    if (claimed.length === 0) return { claimed: 0, requested };

    const targets = await loadWebhookTargets(store.db, [
      ...new Set(claimed.map((d) => d.webhook_id)),
    ]);
    const prepared = new Map<string, PreparedTarget | undefined>();
    for (const d of claimed) {
      if (this.held.has(d.id)) continue;
      const target = targets.get(d.webhook_id);
      if (!target?.active) {
        this.paused.push(d.id);
        continue;
      }
      let p = prepared.get(target.id);
      if (!p) {
        p = prepareTarget(target, this.deps.secretBox);
        prepared.set(target.id, p);
      }
      this.enqueue(d, p);
    }
    if (this.paused.length > 0) this.scheduleFlush();
    return { claimed: claimed.length, requested };
  }

  private enqueue(d: Claimed, t: PreparedTarget): void {
    this.held.add(d.id);
    let w = this.perWebhook.get(t.id);
    if (!w) {
      w = { active: 0, queue: [] };
      this.perWebhook.set(t.id, w);
    }
    w.queue.push({ d, t });
    this.pump(t.id);
  }

  private pump(webhookId: string): void {
    const w = this.perWebhook.get(webhookId);
    if (!w) return;
    while (w.active < this.deps.config.perWebhookConcurrency && w.queue.length > 0) {
      const next = w.queue.shift()!;
      w.active++;
      this.inFlight++;
      void this.attempt(next.d, next.t).finally(() => {
        w.active--;
        this.inFlight--;
        if (w.active === 0 && w.queue.length === 0) this.perWebhook.delete(webhookId);
        else this.pump(webhookId);
        if (this.inFlight === 0) for (const r of this.idle.splice(0)) r();
        this.signal();
      });
    }
  }

  private async attempt(d: Claimed, t: PreparedTarget): Promise<void> {
    const { clock, random, config, sender } = this.deps;
    const { headers, body } = buildRequest(t, d, clock.now());
    const outcome = await sender.send(t.url, headers, body);
    const update = afterAttempt(d, outcome, {
      scheduleSeconds: config.retrySchedule,
      random: random.float(),
      now: clock.now(),
    });
    this.finished.push({ delivery: d, outcome, update });
    this.deps.metrics?.observeAttempt(d, outcome, update.status);
    // One line per attempt: ids, status and timing only; never the body or the credentials.
    this.deps.logger.info(
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
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.finished.length + this.paused.length >= FLUSH_AT) {
      void this.flush();
      return;
    }
    // Gather what finishes in the same instant into one transaction.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, 2);
  }

  /** Writes what has finished; one flush at a time. A failed write is kept and retried. */
  private async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.finished.length === 0 && this.paused.length === 0) return;
    const finished = this.finished;
    const paused = this.paused;
    this.finished = [];
    this.paused = [];
    this.flushing = this.write(finished, paused)
      .catch((err) => {
        this.deps.logger.error(
          { err, count: finished.length },
          'dispatcher: recording outcomes failed; will retry',
        );
        this.finished.unshift(...finished);
        this.paused.unshift(...paused);
        setTimeout(() => void this.flush(), ERROR_BACKOFF_MS).unref();
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private async write(finished: Finished[], paused: string[]): Promise<void> {
    const verdicts = new Map<string, WebhookVerdict>();
    const attempts: Insertable<AttemptsTable>[] = [];
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
      const v = verdicts.get(f.delivery.webhook_id) ?? {
        webhookId: f.delivery.webhook_id,
        succeeded: false,
        failedAt: undefined,
        gone: false,
      };
      if (o.success) v.succeeded = true;
      else v.failedAt = Math.min(v.failedAt ?? o.startedAt, o.startedAt);
      if (o.statusCode === 410) v.gone = true;
      verdicts.set(v.webhookId, v);
    }
    const result = await completeDeliveries(
      this.deps.store.db,
      {
        leasedBy: this.id,
        now: this.deps.clock.now(),
        autoDisableAfterMs: this.deps.config.autoDisableAfterMs,
        attempts,
        updates: finished.map((f) => f.update),
        paused,
        verdicts: [...verdicts.values()],
      },
      this.deps.store.profile,
    );
    for (const f of finished) this.held.delete(f.delivery.id);
    for (const d of result.disabled) {
      this.deps.logger.warn({ webhook: d.webhookId, reason: d.reason }, 'webhook disabled');
    }
  }
}
