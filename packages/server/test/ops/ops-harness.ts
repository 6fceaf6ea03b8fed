// The shared harness with /metrics wired as `serve` wires it, and the helpers that read
// Prometheus text. Only the clock and jitter are injected.
import type { Config } from '../../src/config.js';
import type { DialectName } from '../../src/db/dialect.js';
import type { Metrics } from '../../src/metrics/metrics.js';
import { createHarness, type Harness } from '../support/harness.js';

export interface OpsHarness extends Harness {
  metrics: Metrics;
  scrape(): Promise<string>;
}

export async function createOpsHarness(
  dialect: DialectName,
  overrides: Partial<Config> = {},
  options: { dispatcher?: boolean; processMetrics?: boolean } = {},
): Promise<OpsHarness> {
  const h = await createHarness(dialect, overrides, {
    dispatcher: options.dispatcher ?? false,
    metrics: { process: options.processMetrics ?? false },
  });
  const metrics = h.metrics!;
  return {
    ...h,
    metrics,
    scrape: async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body,
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
