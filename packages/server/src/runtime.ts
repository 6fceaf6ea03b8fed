// createRuntime(config, overrides): the one place that wires what the server, the CLI and
// the tests run on — the secret box, the operator key, sessions, the delivery queue and,
// where this process delivers, the dispatcher, the retention pruner and the LISTEN
// connection. The server, the CLI and the test harness differ only in their overrides.
import type { OperatorKey } from './auth/operator-key.js';
import { ensureOperatorKey } from './auth/operator-key.js';
import { createSessionAuth } from './auth/sessions.js';
import { type Clock, type Random, systemClock, systemRandom } from './clock.js';
import type { Config } from './config.js';
import { openStore, type Store } from './db/dialect.js';
import type { AppDeps } from './deps.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { type Listener, listenForWakeups } from './dispatcher/listener.js';
import { createSenders, type Senders } from './dispatcher/senders.js';
import { createWakeup, type Wakeup } from './events/wakeup.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { DeliveryQueue } from './queue/queue.js';
import { Pruner } from './retention/pruner.js';
import { SecretBox } from './security/secret-box.js';
import { resolveSecretKey } from './security/secret-key.js';
import type { LookupFn } from './security/ssrf.js';
import { version } from './version.js';

/**
 * Connections for the dispatcher of a process that also serves the API: a claim, the
 * targets' lookup and a batch of outcomes can overlap, and nothing else uses them.
 */
const DISPATCHER_POOL_SIZE = 3;

export interface RuntimeOverrides {
  /** An open, migrated store: each caller opens its own, as it reports a failure its own way. */
  store: Store;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  /** DNS for the SSRF checks, at creation and at connect time (tests). */
  lookup?: LookupFn;
  /** Instead of the stored one (the CLI acts through the machine, with no key to check). */
  operatorKey?: OperatorKey;
  /** Run the dispatcher, the pruner and LISTEN here; by default, unless the role is `api`. */
  delivering?: boolean;
  /** When delivering, also prune old rows (default true). */
  pruning?: boolean;
  /** When delivering on PostgreSQL, LISTEN for other processes' commits (default true). */
  listening?: boolean;
  /**
   * When delivering on PostgreSQL, give the dispatcher a pool of its own, whose commits are
   * lazy (default true).
   */
  ownDispatcherPool?: boolean;
  /** Serve /metrics: `process` adds Node's own metrics; `version` labels them. */
  metrics?: false | { process: boolean; version?: string };
  /** Where receivers fetch details; called per delivery, since port 0 is known only later. */
  publicUrl?: () => string;
}

export interface Runtime {
  deps: AppDeps;
  /** The operator key printed once when it was generated (the server shows it). */
  generatedOperatorKey: string | undefined;
  wakeup: Wakeup;
  dispatcher: Dispatcher | undefined;
  /** What the dispatcher sends its attempts through (none when not delivering). */
  senders: Senders | undefined;
  metrics: Metrics | undefined;
  /** Starts delivering and pruning (after the caller is ready to serve). */
  start(): void;
  /** Tells /readyz to answer 503 from now on. */
  beginStopping(): void;
  /** Stops what it started and closes what it opened; the caller's store stays open. */
  close(): Promise<void>;
}

export async function createRuntime(config: Config, o: RuntimeOverrides): Promise<Runtime> {
  const { store, logger } = o;
  const clock = o.clock ?? systemClock;
  const random = o.random ?? systemRandom;
  const secretBox = new SecretBox(
    resolveSecretKey(config, () => random.bytes(32)),
    random.bytes,
  );
  let operatorKey = o.operatorKey;
  let generatedOperatorKey: string | undefined;
  if (!operatorKey) {
    const ensured = await ensureOperatorKey(store, config.operatorKey, random);
    operatorKey = ensured.key;
    generatedOperatorKey = ensured.generated;
  }
  const wakeup = createWakeup();
  const metrics =
    o.metrics === false || o.metrics === undefined
      ? undefined
      : createMetrics({
          store,
          clock,
          logger,
          labels: {
            version: o.metrics.version ?? version,
            role: config.role,
            store: store.profile.name,
          },
          processMetrics: o.metrics.process,
        });
  const queue = new DeliveryQueue({ store, clock, random, wakeup });

  let stopping = false;
  const deps: AppDeps = {
    config,
    store,
    logger,
    clock,
    random,
    operatorKey,
    secretBox,
    queue,
    sessions: createSessionAuth({ store, clock, random, config }),
    stopping: () => stopping,
    ...(o.lookup ? { lookup: o.lookup } : {}),
    ...(metrics ? { metrics } : {}),
  };

  // Delivery and retention run beside the API (role all) or alone (role dispatcher).
  const delivering = o.delivering ?? config.role !== 'api';
  const sender = delivering
    ? createSenders({
        threads: config.senderThreads,
        timeoutMs: config.deliveryTimeoutMs,
        bodyLimit: config.responseBodyLimit,
        policy: { allowedCidrs: config.allowedTargets, ...(o.lookup ? { lookup: o.lookup } : {}) },
        clock,
      })
    : undefined;
  // On a pooled store the dispatcher has a pool of its own. Every process serves the API
  // (a dispatcher's too, if anyone sends it requests): on a shared pool every claim and
  // every batch of outcomes would queue behind API transactions for a connection, and a
  // trigger arrive seconds after its 201 under load (docs/performance.md, "Latency"). And
  // its connections commit lazily for their whole session (OpenOptions.lazyCommit): a
  // claim does not wait for the disk before its triggers go out, and an outcome batch
  // saves the statement that would make its commit lazy. The API's pool stays durable.
  const ownPool = delivering && store.profile.pooled && (o.ownDispatcherPool ?? true);
  const dispatchStore = ownPool
    ? openStore({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: DISPATCHER_POOL_SIZE,
        logger,
        lazyCommit: true,
      })
    : store;
  const dispatcher = sender
    ? new Dispatcher({
        publicUrl: o.publicUrl ?? (() => config.publicUrl ?? 'http://127.0.0.1:3000'),
        store: dispatchStore,
        queue:
          dispatchStore === store
            ? queue
            : new DeliveryQueue({ store: dispatchStore, clock, random, wakeup }),
        config,
        clock,
        random,
        secretBox,
        sender,
        logger,
        wakeup,
        ...(metrics ? { metrics } : {}),
      })
    : undefined;
  if (dispatcher) metrics?.trackDispatcher(dispatcher);
  const pruner =
    delivering && (o.pruning ?? true)
      ? new Pruner({
          db: store.db,
          queue,
          clock,
          logger,
          retentionDays: config.retentionDays,
          ...(metrics ? { metrics } : {}),
        })
      : undefined;
  let listener: Listener | undefined;

  return {
    deps,
    generatedOperatorKey,
    wakeup,
    dispatcher,
    senders: sender,
    metrics,
    start() {
      // Other processes' commits wake this one's dispatcher through NOTIFY (PostgreSQL).
      if (dispatcher && store.profile.listenNotify && config.databaseUrl && (o.listening ?? true)) {
        listener = listenForWakeups(config.databaseUrl, () => dispatcher.signal(), logger);
      }
      dispatcher?.start();
      pruner?.start();
    },
    beginStopping() {
      stopping = true;
    },
    async close() {
      stopping = true;
      await listener?.close();
      await pruner?.stop();
      await dispatcher?.stop();
      await sender?.close();
      if (dispatchStore !== store) await dispatchStore.close();
    },
  };
}
