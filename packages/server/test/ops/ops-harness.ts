// The real app and dispatcher on a throw-away store, wired with metrics as `serve` wires them
// (the shared harness builds its app without metrics). Only the clock and jitter are injected.
import { Writable } from 'node:stream';
import { type App, buildApp } from '../../src/app.js';
import { ensureOperatorKey } from '../../src/auth/operator-key.js';
import type { Config } from '../../src/config.js';
import type { DialectName } from '../../src/db/dialect.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { Sender } from '../../src/dispatcher/sender.js';
import { createWakeup } from '../../src/events/wakeup.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { noJitter, TestClock } from '../support/clock.js';
import type { Harness } from '../support/harness.js';
import { OPERATOR_KEY, TEST_SECRET_KEY, testConfig } from '../support/harness.js';
import { createTestStore } from '../support/stores.js';

export interface OpsHarness extends Harness {
  metrics: Metrics;
  scrape(): Promise<string>;
}

export async function createOpsHarness(
  dialect: DialectName,
  overrides: Partial<Config> = {},
  options: { dispatcher?: boolean; processMetrics?: boolean } = {},
): Promise<OpsHarness> {
  const store = await createTestStore(dialect);
  const config = testConfig({
    ...overrides,
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const clock = new TestClock();
  const wakeup = createWakeup();
  const wakeups = { count: 0 };
  wakeup.subscribe(() => {
    wakeups.count++;
  });
  const secretBox = new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'), noJitter.bytes);
  const sender = new Sender({
    timeoutMs: config.deliveryTimeoutMs,
    bodyLimit: config.responseBodyLimit,
    policy: { allowedCidrs: config.allowedTargets },
    clock,
  });
  const metrics = createMetrics({
    store,
    clock,
    logger,
    labels: { version: 'test', role: 'all', store: dialect },
    processMetrics: options.processMetrics ?? false,
  });
  const dispatcher = options.dispatcher
    ? new Dispatcher({
        store,
        config,
        clock,
        random: noJitter,
        secretBox,
        sender,
        logger,
        wakeup,
        metrics,
      })
    : undefined;
  if (dispatcher) metrics.trackDispatcher(dispatcher);
  dispatcher?.start();
  let stopping = false;
  const app: App = await buildApp({
    config,
    store,
    logger,
    clock,
    random: noJitter,
    operatorKey: (await ensureOperatorKey(store, OPERATOR_KEY, noJitter)).key,
    secretBox,
    wake: wakeup.wake,
    sender,
    stopping: () => stopping,
    metrics,
  });
  await app.ready();
  return {
    dialect,
    store,
    app,
    config,
    clock,
    wakeups,
    wakeup,
    dispatcher,
    logs,
    metrics,
    scrape: async () => (await app.inject({ method: 'GET', url: '/metrics' })).body,
    close: async () => {
      stopping = true;
      await app.close();
      await dispatcher?.stop();
      await sender.close();
      await store.drop();
    },
  };
}

/** The value of one sample in Prometheus text, e.g. sample(text, 'x_total{a="b"}'); 0 if absent. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Sums every sample of a metric whose labels include all of `labels`. */
export function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}
