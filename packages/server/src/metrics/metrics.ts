// Prometheus metrics, one registry per app (tests build many apps in one process, so the
// global default registry is never used). Labels are small closed sets: event names, outcome,
// error class. Never a URL, a facility or webhook id, or anything secret.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Store } from '../db/dialect.js';
import type { Outcome } from '../dispatcher/sender.js';
import { EVENTS } from '../events/event-names.js';
import type { Logger } from '../logger.js';
import { attemptErrorLabel } from './labels.js';
import { queueSnapshots } from './queue-gauges.js';

/** What the dispatcher knows about a delivery when its attempt ends. */
export interface AttemptedDelivery {
  event: string;
  attempt_count: number;
  created_at: number;
}

/** The dispatcher's hooks: called on the hot path, so no I/O and no allocation per label set. */
export interface DeliveryMetrics {
  observeAttempt(d: AttemptedDelivery, o: Outcome, deliveryStatus: string): void;
}

export interface Metrics extends DeliveryMetrics {
  readonly registry: Registry;
  /** The in-flight gauge reads this dispatcher at scrape time. */
  trackDispatcher(dispatcher: { readonly activeCount: number }): void;
  pruned(table: 'attempts' | 'deliveries' | 'events' | 'idempotency_keys', rows: number): void;
  pruneFinished(atMs: number): void;
}

export interface MetricsOptions {
  store: Pick<Store, 'db' | 'commitStats'>;
  clock: Clock;
  logger: Logger;
  labels: { version: string; role: string; store: string };
  /** Node process metrics (CPU, memory, event loop lag, GC); off in tests that build many apps. */
  processMetrics?: boolean;
}

const EVENT_LABELS = new Set<string>(EVENTS);
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'tablehooks_info',
    help: 'Always 1; the labels say which version, role and store this process runs',
    labelNames: ['version', 'role', 'store'],
    registers,
  }).set(options.labels, 1);

  const deliveries = new Counter({
    name: 'tablehooks_deliveries_total',
    help: 'Delivery attempts by event and by what they left the delivery as: succeeded, retrying (failed, will retry) or failed (given up)',
    labelNames: ['event', 'outcome'],
    registers,
  });
  const attemptErrors = new Counter({
    name: 'tablehooks_delivery_attempt_errors_total',
    help: 'Failed attempts by cause: http_4xx, http_5xx, timeout, connection_refused, dns, tls, redirect, ssrf_blocked, …',
    labelNames: ['error'],
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'tablehooks_delivery_attempt_duration_seconds',
    help: 'Time from sending a trigger to the end of the answer (or the failure)',
    labelNames: ['result'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const firstAttemptLatency = new Histogram({
    name: 'tablehooks_delivery_first_attempt_latency_seconds',
    help: 'From the change (the event) to the start of its first delivery attempt',
    buckets: LATENCY_BUCKETS,
    registers,
  });

  let dispatcher: { readonly activeCount: number } | undefined;
  new Gauge({
    name: 'tablehooks_dispatcher_in_flight',
    help: 'Delivery attempts this process is sending right now',
    registers,
    collect() {
      this.set(dispatcher?.activeCount ?? 0);
    },
  });

  // SQLite's group commit (src/db/sqlite-group-commit-driver.ts): how many writes share an
  // fsync, and whether a COMMIT ever failed (each failure turned its members' requests into
  // errors). Counted by the driver; read at scrape time.
  const commitStats = options.store.commitStats;
  if (commitStats) {
    const seen = { durable: 0, lazy: 0, members: 0, failed: 0 };
    const advance = (counter: Counter, key: keyof typeof seen, now: number, labels = {}) => {
      if (now > seen[key]) counter.inc(labels, now - seen[key]);
      seen[key] = now;
    };
    new Counter({
      name: 'tablehooks_sqlite_group_commits_total',
      help: 'SQLite group commits: durable ones cost one fsync for all their members; lazy ones hold dispatcher bookkeeping only',
      labelNames: ['kind'],
      registers,
      collect() {
        const s = commitStats();
        advance(this, 'durable', s.commits, { kind: 'durable' });
        advance(this, 'lazy', s.lazyCommits, { kind: 'lazy' });
      },
    });
    new Counter({
      name: 'tablehooks_sqlite_group_commit_members_total',
      help: 'Transactions and single writes that were committed as part of a group',
      registers,
      collect() {
        advance(this, 'members', commitStats().members);
      },
    });
    new Counter({
      name: 'tablehooks_sqlite_group_commit_failures_total',
      help: 'Groups whose COMMIT failed or that SQLite rolled back: their members got errors, nothing acknowledged was lost',
      registers,
      collect() {
        advance(this, 'failed', commitStats().failedGroups);
      },
    });
  }

  const snapshot = queueSnapshots(options.store, options.clock, options.logger);
  new Gauge({
    name: 'tablehooks_deliveries_pending',
    help: 'Deliveries waiting to be sent or being sent, in the whole store (not only this process)',
    registers,
    async collect() {
      this.set((await snapshot()).pending);
    },
  });
  new Gauge({
    name: 'tablehooks_deliveries_oldest_due_age_seconds',
    help: 'How long the most overdue pending delivery has been due; 0 when none is overdue',
    registers,
    async collect() {
      this.set((await snapshot()).oldestDueAgeSeconds);
    },
  });
  new Gauge({
    name: 'tablehooks_webhooks_disabled',
    help: 'Webhooks disabled, by a user, by a 410 Gone, or automatically after failing too long',
    registers,
    async collect() {
      this.set((await snapshot()).webhooksDisabled);
    },
  });

  const pruned = new Counter({
    name: 'tablehooks_retention_pruned_rows_total',
    help: 'Rows deleted by the retention pruner',
    labelNames: ['table'],
    registers,
  });
  const lastPrune = new Gauge({
    name: 'tablehooks_retention_last_run_timestamp_seconds',
    help: 'When this process last finished a retention run (unix time)',
    registers,
  });

  // Children are bound once per label set: the hot path does a map lookup, not a label hash.
  // The known ones exist from the start at 0, so rate() and absent() behave before traffic.
  const byOutcome = new Map<string, Counter.Internal>();
  for (const event of EVENTS) {
    for (const outcome of ['succeeded', 'retrying', 'failed']) {
      byOutcome.set(`${event}|${outcome}`, deliveries.labels(event, outcome));
    }
  }
  const byError = new Map<string, Counter.Internal>();
  const succeededDuration = attemptDuration.labels('success');
  const failedDuration = attemptDuration.labels('failure');

  return {
    registry,
    observeAttempt(d, o, deliveryStatus) {
      const event = EVENT_LABELS.has(d.event) ? d.event : 'other';
      const outcome = deliveryStatus === 'pending' ? 'retrying' : deliveryStatus;
      const key = `${event}|${outcome}`;
      let counter = byOutcome.get(key);
      if (!counter) {
        counter = deliveries.labels(event, outcome);
        byOutcome.set(key, counter);
      }
      counter.inc();
      (o.success ? succeededDuration : failedDuration).observe(o.durationMs / 1000);
      if (d.attempt_count === 0) {
        firstAttemptLatency.observe(Math.max(0, o.startedAt - d.created_at) / 1000);
      }
      if (!o.success) {
        const error = attemptErrorLabel(o);
        let c = byError.get(error);
        if (!c) {
          c = attemptErrors.labels(error);
          byError.set(error, c);
        }
        c.inc();
      }
    },
    trackDispatcher(d) {
      dispatcher = d;
    },
    pruned(table, rows) {
      if (rows > 0) pruned.labels(table).inc(rows);
    },
    pruneFinished(atMs) {
      lastPrune.set(Math.floor(atMs / 1000));
    },
  };
}
