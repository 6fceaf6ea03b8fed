// What a command runs against: the configuration from the environment (as `serve` reads it),
// the store brought up to date, and the same services the HTTP routes use, built by the same
// createRuntime with no dispatcher. The operator is on the machine; there is no API key to check.
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { absoluteLocation, missingEmbeddedDatabase, openStore, type Store } from '../db/dialect.js';
import { migrateToLatest } from '../db/migrate.js';
import type { AppDeps } from '../deps.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { CliError, EXIT } from './errors.js';
import { createOutput, type Output } from './output.js';

export interface CliContext {
  config: Config;
  store: Store;
  deps: AppDeps;
  out: Output;
}

/** --json, wherever it was given on the command line. */
export function outputFor(command: Command): Output {
  return createOutput(Boolean(command.optsWithGlobals().json));
}

export async function openMigratedStore(config: Config, out: Output): Promise<Store> {
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
  });
  try {
    const { applied } = await migrateToLatest(store.db, store.profile);
    if (applied.length > 0) out.note(`${store.location}: applied ${applied.join(', ')}`);
    return store;
  } catch (err) {
    await store.close().catch(() => {});
    throw new CliError(
      `cannot open the database at ${store.location}: ${causeOf(err)}`,
      EXIT.unavailable,
      {
        cause: err,
      },
    );
  }
}

function causeOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

export interface ContextOptions {
  /**
   * May make a new embedded database (setup, facility create). Any other command run where
   * there is none — in another folder, with the default relative ./data — would silently
   * make an empty one and answer from it; it stops and says where it looked instead.
   */
  create?: boolean;
}

/** Refuses to go on without a database, unless the command is one that may make it. */
export function requireDatabase(config: Config, options: ContextOptions): void {
  if (options.create) return;
  const file = missingEmbeddedDatabase(config);
  if (file === undefined) return;
  throw new CliError(
    `no database at ${file} (TABLEHOOKS_DATA_DIR is ${config.dataDir}, from ${process.cwd()}). ` +
      'Run tablehooks in the folder where the server runs (where you ran npm start), or set ' +
      'TABLEHOOKS_DATA_DIR (or DATABASE_URL) to its database; `tablehooks setup` makes a new one.',
    EXIT.unavailable,
  );
}

export async function withContext<T>(
  command: Command,
  work: (ctx: CliContext) => Promise<T>,
  options: ContextOptions = {},
): Promise<T> {
  const out = outputFor(command);
  // A bad value is a ConfigError: exit 2 with the variable's name (errors.ts).
  const config = loadConfig();
  requireDatabase(config, options);
  const store = await openMigratedStore(config, out);
  // Which database answers is never a guess (stderr, so --json output still parses).
  out.note(`database: ${absoluteLocation(store)}`);
  const runtime = await createRuntime(config, {
    store,
    logger: createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', process.stderr),
    // Nothing here authenticates: the operator acts through the machine, not an API key.
    operatorKey: { matches: () => false },
    // No dispatcher in this process. On PostgreSQL the commit's NOTIFY wakes the running
    // ones; on SQLite the server notices within its poll interval.
    delivering: false,
  });
  const { deps } = runtime;
  try {
    return await work({ config, store, deps, out });
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** The address people open in a browser: a wildcard listen address is reached on loopback. */
export function browserUrl(config: Config, port = config.port): string {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}
