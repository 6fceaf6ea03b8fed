// The server itself: config → store → migrate → app → listen → dispatcher and retention; a
// clean stop on SIGTERM/SIGINT. `serve` runs it as it is, `demo` with hooks.
import { type App, type AppDeps, buildApp } from '../app.js';
import { ensureOperatorKey } from '../auth/operator-key.js';
import { systemClock, systemRandom } from '../clock.js';
import type { Config } from '../config.js';
import { openStore, type Store } from '../db/dialect.js';
import { migrateToLatest } from '../db/migrate.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import { listenForWakeups } from '../dispatcher/listener.js';
import { Sender } from '../dispatcher/sender.js';
import { createWakeup } from '../events/wakeup.js';
import { createLogger, type Logger, stdoutLog } from '../logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { DeliveryQueue } from '../queue/queue.js';
import { Pruner } from '../retention/pruner.js';
import { SecretBox } from '../security/secret-box.js';
import { resolveSecretKey } from '../security/secret-key.js';
import { version } from '../version.js';
import { browserUrl } from './context.js';
import { CliError, EXIT } from './errors.js';
import { firstRunLines } from './first-run.js';

/**
 * Connections for the dispatcher of a process that also serves the API: a claim, the
 * targets' lookup and a batch of outcomes can overlap, and nothing else uses them.
 */
const DISPATCHER_POOL_SIZE = 3;

export interface Serving {
  url: string;
  app: App;
  deps: AppDeps;
  store: Store;
}

export interface ServeHooks {
  /** Routes of this run only, added before listening (the demo's echo receiver). */
  extend?(app: App): void;
  /** After the server listens (the demo fills its facility). */
  listening?(serving: Serving): Promise<void>;
  /** First thing on SIGTERM/SIGINT, while the store is still open. */
  stopping?(serving: Serving): Promise<void>;
  /** Leave out the first-run hint (the demo prints its own). */
  quiet?: boolean;
}

async function openAndMigrate(config: Config, logger: Logger): Promise<Store> {
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
  });
  try {
    const { applied } = await migrateToLatest(store.db, store.profile);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    return store;
  } catch (err) {
    logger.fatal({ err }, 'cannot open the database');
    await store.close().catch(() => {});
    throw new CliError(`cannot open the database at ${store.location}`, EXIT.failure, {
      cause: err,
    });
  }
}

export async function serve(config: Config, hooks: ServeHooks = {}): Promise<void> {
  const log = stdoutLog(config.logFormat);
  const logger = createLogger(config.logLevel, log.stream);
  const store = await openAndMigrate(config, logger);
  const secretBox = new SecretBox(
    resolveSecretKey(config, () => systemRandom.bytes(32)),
    systemRandom.bytes,
  );
  const operator = await ensureOperatorKey(store, config.operatorKey, systemRandom);
  const wakeup = createWakeup();
  const sender = new Sender({
    timeoutMs: config.deliveryTimeoutMs,
    bodyLimit: config.responseBodyLimit,
    policy: { allowedCidrs: config.allowedTargets },
    clock: systemClock,
  });
  const metrics = createMetrics({
    store,
    clock: systemClock,
    logger,
    labels: { version, role: config.role, store: store.profile.name },
    processMetrics: true,
  });

  let stopping = false;
  const queue = new DeliveryQueue({ store, clock: systemClock, random: systemRandom, wakeup });
  const deps: AppDeps = {
    config,
    store,
    logger,
    clock: systemClock,
    random: systemRandom,
    operatorKey: operator.key,
    secretBox,
    queue,
    stopping: () => stopping,
    metrics,
  };
  const app = await buildApp(deps);
  hooks.extend?.(app);

  // Delivery and retention run beside the API (role all) or alone (role dispatcher). Every
  // role listens: every process answers /healthz, /readyz and /metrics (and the API; put
  // only those behind a dispatcher's port). Test triggers go through the queue like any
  // delivery, so an API-only process needs a dispatcher somewhere to send them.
  const delivering = config.role !== 'api';
  // On PostgreSQL, a process that also serves the API gives its dispatcher a pool of its
  // own: otherwise every claim and every batch of outcomes queues behind API transactions
  // for one of the shared connections, and a trigger arrives seconds after its 201 under
  // load (docs/performance.md, "Latency"). SQLite has one connection by nature; there its
  // transactions are short and group-committed instead.
  const dispatchStore =
    delivering && config.role === 'all' && config.databaseUrl
      ? openStore({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          poolSize: DISPATCHER_POOL_SIZE,
        })
      : store;
  // Until it listens, the address it will serve on; then the one it does (port 0 picks one).
  let servedUrl = browserUrl(config).replace(/\/$/, '');
  const dispatcher = delivering
    ? new Dispatcher({
        publicUrl: () => config.publicUrl ?? servedUrl,
        store: dispatchStore,
        queue:
          dispatchStore === store
            ? queue
            : new DeliveryQueue({
                store: dispatchStore,
                clock: systemClock,
                random: systemRandom,
                wakeup,
              }),
        config,
        clock: systemClock,
        random: systemRandom,
        secretBox,
        sender,
        logger,
        wakeup,
        metrics,
      })
    : undefined;
  if (dispatcher) metrics.trackDispatcher(dispatcher);
  const pruner = delivering
    ? new Pruner({
        db: store.db,
        queue,
        clock: systemClock,
        logger,
        retentionDays: config.retentionDays,
        metrics,
      })
    : undefined;
  const listener =
    dispatcher && config.databaseUrl
      ? listenForWakeups(config.databaseUrl, () => dispatcher.signal(), logger)
      : undefined;
  dispatcher?.start();
  pruner?.start();

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await Promise.allSettled([listener?.close(), dispatcher?.stop(), pruner?.stop()]);
    await sender.close();
    if (dispatchStore !== store) await dispatchStore.close();
    await store.close();
    const inUse = (err as { code?: string }).code === 'EADDRINUSE';
    throw new CliError(
      inUse
        ? `${config.host}:${config.port} is already in use (another tablehooks?); stop it or set TABLEHOOKS_PORT`
        : `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`,
      EXIT.failure,
      { cause: err },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`;
  servedUrl = browserUrl(config, port).replace(/\/$/, '');
  const serving: Serving = { url, app, deps, store };

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    // A second signal while draining means "now".
    process.once(signal, () => process.exit(130));
    try {
      await hooks.stopping?.(serving);
      await app.close();
      await listener?.close();
      await pruner?.stop();
      await dispatcher?.stop();
      await sender.close();
      if (dispatchStore !== store) await dispatchStore.close();
      await store.close();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'unclean stop');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  // Printed once the signal handlers are in place: whoever waits for this line may stop us.
  logger.info(
    { url, store: store.profile.name, location: store.location, role: config.role },
    'listening',
  );
  // The banner comes last, after the start-up log lines, framed: the one-time operator key
  // must not scroll away unseen.
  const lines = [`tablehooks is serving on ${url} (${store.profile.name}: ${store.location})`];
  if (operator.generated) {
    lines.push(
      '',
      'Operator key, shown this once (only its hash is stored; set TABLEHOOKS_OPERATOR_KEY to choose your own):',
      `  ${operator.generated}`,
    );
  }
  try {
    if (!hooks.quiet && config.role !== 'dispatcher')
      lines.push(...(await firstRunLines(store, config, port)));
    printBanner(lines, log.print);
    await hooks.listening?.(serving);
  } catch (err) {
    // A stop that began meanwhile closed the store under these; it ends the process itself.
    if (!stopping) throw err;
  }
}

function printBanner(lines: string[], print: (text: string) => void): void {
  const rule = '─'.repeat(Math.min(100, Math.max(...lines.map((l) => l.length))));
  print(`\n${rule}\n${lines.join('\n')}\n${rule}\n\n`);
}
