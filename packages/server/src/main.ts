#!/usr/bin/env node
// config → store → migrate → app → listen (→ dispatcher); a clean stop on SIGTERM/SIGINT.
import { type App, buildApp } from './app.js';
import { ensureOperatorKey } from './auth/operator-key.js';
import { systemClock, systemRandom } from './clock.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { openStore, type Store } from './db/dialect.js';
import { migrateToLatest } from './db/migrate.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { listenForWakeups } from './dispatcher/listener.js';
import { Sender } from './dispatcher/sender.js';
import { createWakeup } from './events/wakeup.js';
import { createLogger } from './logger.js';
import { SecretBox } from './security/secret-box.js';
import { resolveSecretKey } from './security/secret-key.js';

function fail(message: string): never {
  process.stderr.write(`tablehooks: ${message}\n`);
  process.exit(2);
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
    throw err;
  }
}

async function migrate(config: Config): Promise<void> {
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrateToLatest(store.db, store.profile);
    process.stdout.write(
      applied.length === 0
        ? `${store.location}: schema is up to date\n`
        : `${store.location}: applied ${applied.join(', ')}\n`,
    );
  } finally {
    await store.close();
  }
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  let store: Store;
  try {
    store = openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
    });
    const { applied } = await migrateToLatest(store.db, store.profile);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  } catch (err) {
    logger.fatal({ err }, 'cannot open the database');
    process.exit(1);
  }

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

  let stopping = false;
  const app: App = await buildApp({
    config,
    store,
    logger,
    clock: systemClock,
    random: systemRandom,
    operatorKey: operator.key,
    secretBox,
    wake: wakeup.wake,
    sender,
    stopping: () => stopping,
  });

  // The dispatcher runs beside the API (role all) or alone (role dispatcher). An API-only
  // process still answers /healthz, /readyz and the test trigger.
  const dispatcher =
    config.role === 'api'
      ? undefined
      : new Dispatcher({ store, config, clock: systemClock, random: systemRandom, secretBox, sender, logger, wakeup });
  const listener =
    dispatcher && config.databaseUrl
      ? listenForWakeups(config.databaseUrl, () => dispatcher.signal(), logger)
      : undefined;
  dispatcher?.start();

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`;
  logger.info(
    { url, store: store.profile.name, location: store.location, role: config.role },
    'listening',
  );
  process.stdout.write(
    `tablehooks is serving on ${url} (${store.profile.name}: ${store.location})\n`,
  );

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    // A second signal while draining means "now".
    process.once(signal, () => process.exit(130));
    try {
      await app.close();
      await listener?.close();
      await dispatcher?.stop();
      await sender.close();
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
}

async function main(): Promise<void> {
  const [command = 'serve', ...rest] = process.argv.slice(2);
  const config = readConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      return migrate(config);
    case '--help':
    case 'help':
      process.stdout.write('usage: tablehooks [serve|migrate]\n');
      return;
    default:
      fail(`unknown command "${command}" ${rest.length ? '' : ''}(try: tablehooks help)`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `tablehooks: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
