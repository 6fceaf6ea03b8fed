// One real app on one real store, for tests that go through HTTP (app.inject) as a client would.
import { Writable } from 'node:stream';
import { type App, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { DialectName } from '../../src/db/dialect.js';
import type { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import type { Senders } from '../../src/dispatcher/senders.js';
import type { Wakeup } from '../../src/events/wakeup.js';
import { createLogger } from '../../src/logger.js';
import type { Metrics } from '../../src/metrics/metrics.js';
import type { DeliveryQueue } from '../../src/queue/queue.js';
import { createRuntime } from '../../src/runtime.js';
import type { LookupFn } from '../../src/security/ssrf.js';
import { noJitter, TestClock } from './clock.js';
import { createTestStore, type TestStore } from './stores.js';

export interface Harness {
  dialect: DialectName;
  store: TestStore;
  app: App;
  config: Config;
  clock: TestClock;
  /** Counts in-process wake-ups (the dispatcher's real-time trigger). */
  wakeups: { count: number };
  wakeup: Wakeup;
  /** The delivery queue the app and the dispatcher share. */
  queue: DeliveryQueue;
  dispatcher: Dispatcher | undefined;
  /** What the dispatcher sends through: `threadCount` says whether sender threads are on. */
  senders: Senders | undefined;
  /** With the `metrics` option: the registry /metrics serves, wired as `serve` wires it. */
  metrics: Metrics | undefined;
  /** Every log line the app wrote, for tests that prove secrets never reach the logs. */
  logs: string[];
  close(): Promise<void>;
}

export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
export const OPERATOR_KEY = 'op_test_operator_key_0123456789';

/** The environment a subprocess (`serve`, a CLI command) gets for this store: the same keys as the in-process harness. */
export function envFor(
  store: Pick<TestStore, 'dataDir' | 'databaseUrl'>,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    TABLEHOOKS_DATA_DIR: store.dataDir,
    DATABASE_URL: store.databaseUrl,
    TABLEHOOKS_SECRET_KEY: TEST_SECRET_KEY,
    TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
    TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
    TABLEHOOKS_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ TABLEHOOKS_LOG_LEVEL: 'info' }),
    secretKey: TEST_SECRET_KEY,
    allowedTargets: ['127.0.0.1/32'],
    operatorKey: OPERATOR_KEY,
    // In-process unless a test asks for sender threads: most tests inject DNS (a lookup that
    // can't cross to a thread), and each thread costs a start-up.
    senderThreads: 0,
    ...overrides,
  };
}

export interface HarnessOptions {
  /** Run a dispatcher in this process, as `TABLEHOOKS_ROLE=all` does. */
  dispatcher?: boolean;
  /** Share this store (e.g. with subprocesses) instead of a throw-away one; it is not dropped on close. */
  store?: TestStore;
  /** DNS for the SSRF checks, at creation (AppDeps.lookup) and at connect time (the Sender). */
  lookup?: LookupFn;
  /** Extra log lines go here too (e.g. a file that outlives the test), besides `logs`. */
  logSink?: (line: string) => void;
  /** Serve /metrics and count attempts, as `serve` does; `process` adds Node's own metrics. */
  metrics?: { process?: boolean };
}

export async function createHarness(
  dialect: DialectName,
  overrides: Partial<Config> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const store = options.store ?? (await createTestStore(dialect));
  const config = testConfig({
    ...overrides,
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      options.logSink?.(String(chunk));
      done();
    },
  });
  const clock = new TestClock();
  const logger = createLogger(config.logLevel, sink);
  const runtime = await createRuntime(config, {
    store,
    logger,
    clock,
    random: noJitter,
    delivering: options.dispatcher ?? false,
    // Wake-ups stay in this process and the dispatcher shares the test's store; retention
    // has tests of its own that run the pruner by hand.
    pruning: false,
    listening: false,
    ownDispatcherPool: false,
    metrics: options.metrics
      ? { process: options.metrics.process ?? false, version: 'test' }
      : false,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const { wakeup, dispatcher, metrics } = runtime;
  const { queue } = runtime.deps;
  const wakeups = { count: 0 };
  wakeup.subscribe(() => {
    wakeups.count++;
  });
  runtime.start();
  const app = await buildApp(runtime.deps);
  await app.ready();
  return {
    dialect,
    store,
    app,
    config,
    clock,
    wakeups,
    wakeup,
    queue,
    logs,
    dispatcher,
    senders: runtime.senders,
    metrics,
    close: async () => {
      runtime.beginStopping();
      await app.close();
      await runtime.close();
      if (!options.store) await store.drop();
    },
  };
}
