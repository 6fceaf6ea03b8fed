// The console log a person reads: one line per request, and health checks only at debug.
import { afterEach, expect, it } from 'vitest';
import { wantsPretty } from '../../src/logger.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

it.each([
  ['auto', true, true],
  ['auto', false, false],
  ['json', true, false],
  ['pretty', false, true],
] as const)(
  'with TABLEHOOKS_LOG_FORMAT=%s and a terminal %s, prints readable lines: %s',
  (format, tty, pretty) => {
    expect(wantsPretty(format, tty)).toBe(pretty);
  },
);

describeEachDialect('request log lines', (dialect) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const logged = (id: string) =>
    h!.logs
      .map((l) => JSON.parse(l))
      .filter((l) => l.reqId === id)
      .map((l) => l.msg);

  it('logs health checks and scrapes only at debug, other requests once at info', async () => {
    h = await createHarness(dialect, { logLevel: 'info' });
    for (const url of ['/healthz', '/readyz', '/metrics'])
      await h.app.inject({
        method: 'GET',
        url,
        headers: { 'x-request-id': `probe${url.slice(1)}` },
      });
    await h.app.inject({ method: 'GET', url: '/v1/facility', headers: { 'x-request-id': 'api' } });
    expect(logged('probehealthz')).toEqual([]);
    expect(logged('probereadyz')).toEqual([]);
    expect(logged('probemetrics')).toEqual([]);
    expect(logged('api')).toEqual(['request completed']);
  });

  it('logs health checks at debug, with the incoming line too', async () => {
    h = await createHarness(dialect, { logLevel: 'debug' });
    await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'probe' } });
    expect(logged('probe')).toEqual(['incoming request', 'request completed']);
  });
});
