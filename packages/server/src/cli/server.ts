// The server itself: config → store → migrate → app → listen → dispatcher and retention; a
// clean stop on SIGTERM/SIGINT. `serve` runs it as it is, `demo` with hooks.
import { type App, buildApp } from '../app.js';
import type { Config } from '../config.js';
import { openStore, type Store } from '../db/dialect.js';
import { migrateToLatest } from '../db/migrate.js';
import type { AppDeps } from '../deps.js';
import { createLogger, type Logger, stdoutLog } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { browserUrl } from './context.js';
import { CliError, EXIT } from './errors.js';
import { firstRunLines } from './first-run.js';

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
    logger,
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
  // Until it listens, the address it will serve on; then the one it does (port 0 picks one).
  let servedUrl = browserUrl(config).replace(/\/$/, '');
  // Every role listens: every process answers /healthz, /readyz and /metrics (and the API;
  // put only those behind a dispatcher's port). Test triggers go through the queue like any
  // delivery, so an API-only process needs a dispatcher somewhere to send them.
  const runtime = await createRuntime(config, {
    store,
    logger,
    metrics: { process: true },
    publicUrl: () => config.publicUrl ?? servedUrl,
  });
  const { deps } = runtime;
  const app = await buildApp(deps);
  hooks.extend?.(app);
  runtime.start();

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await runtime.close().catch(() => {});
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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.beginStopping();
    logger.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    // A second signal while draining means "now".
    process.once(signal, () => process.exit(130));
    try {
      await hooks.stopping?.(serving);
      await app.close();
      await runtime.close();
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
  if (runtime.generatedOperatorKey) {
    lines.push(
      '',
      'Operator key, shown this once (only its hash is stored; set TABLEHOOKS_OPERATOR_KEY to choose your own):',
      `  ${runtime.generatedOperatorKey}`,
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
