// The retention loop, run by dispatcher-role processes: every interval, delete attempts,
// finished deliveries and outbox events older than the retention period. With several
// dispatchers on one PostgreSQL, a lease row in `settings` lets one of them run per interval.
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DeliveryQueue } from '../queue/queue.js';
import { pruneEvents } from './prune-events.js';

const LEASE_KEY = 'retention_lease_until';
const DAY_MS = 24 * 3600 * 1000;

export interface PrunerOptions {
  db: Kysely<Database>;
  /** Finished deliveries and their attempts go through the queue, their one owner. */
  queue: Pick<DeliveryQueue, 'pruneAttempts' | 'pruneDeliveries'>;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  metrics?: Pick<Metrics, 'pruned' | 'pruneFinished'>;
  /** Rows per statement. */
  batchSize?: number;
  /** Real-time pause after each batch, so delivery writes get the database in between. */
  pauseMs?: number;
  /** Between runs; also the lease's length. */
  intervalMs?: number;
  /** Before the first run: a process that starts is busy enough without it. */
  firstRunAfterMs?: number;
}

export interface PruneCounts {
  attempts: number;
  deliveries: number;
  events: number;
}

export class Pruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private started = false;
  /** Set by stop(): a run in progress ends after its current batch. */
  private halting = false;
  private readonly batchSize: number;
  private readonly pauseMs: number;
  private readonly intervalMs: number;

  constructor(private readonly o: PrunerOptions) {
    this.batchSize = o.batchSize ?? 1000;
    this.pauseMs = o.pauseMs ?? 50;
    this.intervalMs = o.intervalMs ?? 10 * 60_000;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.halting = false;
    this.schedule(this.o.firstRunAfterMs ?? 60_000);
  }

  /** Stops the loop; a run in progress ends after its current batch. */
  async stop(): Promise<void> {
    this.started = false;
    this.halting = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run if this process wins the lease; undefined when another process holds it. */
  async runOnce(): Promise<PruneCounts | undefined> {
    if (!(await this.takeLease())) return undefined;
    return this.prune();
  }

  /** The deletions themselves, lease or not. */
  async prune(): Promise<PruneCounts> {
    const now = this.o.clock.now();
    const options = {
      cutoff: now - this.o.retentionDays * DAY_MS,
      batchSize: this.batchSize,
      breathe: () => new Promise<void>((r) => setTimeout(r, this.pauseMs)),
      stopped: () => this.halting,
    };
    const counts: PruneCounts = {
      attempts: await this.o.queue.pruneAttempts(options),
      deliveries: await this.o.queue.pruneDeliveries(options),
      events: await pruneEvents(this.o.db, options),
    };
    this.o.metrics?.pruned('attempts', counts.attempts);
    this.o.metrics?.pruned('deliveries', counts.deliveries);
    this.o.metrics?.pruned('events', counts.events);
    this.o.metrics?.pruneFinished(this.o.clock.now());
    if (counts.attempts + counts.deliveries + counts.events > 0) {
      this.o.logger.info({ ...counts, retention_days: this.o.retentionDays }, 'retention: pruned');
    }
    return counts;
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.o.logger.error({ err }, 'retention: run failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Compare-and-set on one settings row: the same SQL on SQLite and PostgreSQL. */
  private async takeLease(): Promise<boolean> {
    const now = this.o.clock.now();
    await this.o.db
      .insertInto('settings')
      .values({ key: LEASE_KEY, value: '0' })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const result = await this.o.db
      .updateTable('settings')
      .set({ value: String(now + this.intervalMs - 1_000) })
      .where('key', '=', LEASE_KEY)
      .where(sql<number>`cast(value as bigint)`, '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
