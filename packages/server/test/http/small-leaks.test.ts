// Issue #13 item 6: malformed paths, secrets in query strings, and who may read /metrics.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { badPathReason } from '../../src/http/url-guard.js';
import { createOpsHarness, type OpsHarness } from '../ops/ops-harness.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { OPERATOR_KEY } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

// Every one of these answered 500 (a NUL reached the file system) or could have.
const MALFORMED = [
  '/%00',
  '/%00.js',
  '/a%00b',
  '/assets/%00.js',
  '/openapi.json%00',
  '/metrics%00',
  '/docs/%00',
  '/docs/static/%00',
  '/v1/%00',
  '/v1/facility/%00',
  '/v1/facility/the-fish/bookings/%00',
  '/%01',
  '/%0a',
  '/%0d%0aSet-Cookie:%20x=1',
  '/%7f',
  '/%',
  '/%%',
  '/%zz',
  '/%u0041',
  '/%C0%80',
  '/%ff',
  '/%ed%a0%80',
  '/%E0%A4%A',
  '/docs/static/%ff',
  '/v1/facility/x/bookings/%ff',
  `/${'%00'.repeat(2000)}`,
].map((url) => [url.length > 60 ? `${url.slice(0, 40)}… (${url.length} characters)` : url, url]);

describeEachDialect('small leaks', (dialect) => {
  let h: OpsHarness;
  let fac: TestFacility;
  let base: string;
  beforeAll(async () => {
    h = await createOpsHarness(dialect, { logLevel: 'trace', metricsToken: undefined });
    fac = await createFacility(h);
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it.each(MALFORMED)(
    'answers the malformed path %s with a 4xx in the error shape',
    async (_, url) => {
      for (const method of ['GET', 'HEAD', 'POST', 'DELETE'] as const) {
        const res = await h.app.inject({ method, url });
        expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        if (method !== 'HEAD') expect(res.json().error.code).toMatch(/^(bad_request|not_found)$/);
      }
    },
  );

  it('answers raw bytes that are not UTF-8 or are control characters in the path with a 4xx', async () => {
    const port = new URL(base).port;
    for (const path of [
      Buffer.from([0x2f, 0xff, 0xfe]),
      Buffer.from([0x2f, 0xc0, 0x80]),
      Buffer.from('/\u0001'),
      Buffer.from('/%00'),
    ]) {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          // latin1 keeps every byte as it is: the server sees exactly these bytes.
          socket.write(
            `GET ${path.toString('latin1')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
            'latin1',
          );
        });
        let text = '';
        socket.on('data', (c) => {
          text += String(c);
        });
        // The answer is all we need; some 400s leave the socket to us to close.
        socket.on('data', () => {
          if (/\r\n\r\n/.test(text)) socket.destroy();
        });
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(head, path.toString('hex')).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
  });

  it('tells a good path from a bad one', () => {
    expect(badPathReason('/v1/facility/the-fish?x=%00')).toBeUndefined();
    expect(badPathReason('/caf%C3%A9')).toBeUndefined();
    expect(badPathReason('/%00')).toMatch(/control/);
    expect(badPathReason('/%ff')).toMatch(/not valid/);
  });

  it('never logs a key sent in a query string, the operator key included', async () => {
    const marker = `thk_query_${dialect}_${Date.now()}`;
    const queries = [
      `?api_key=${marker}`,
      `?key=${OPERATOR_KEY}`,
      `?token=${marker}&limit=5`,
      `?${marker}`,
      `?x=1&Api-Key=${encodeURIComponent(OPERATOR_KEY)}`,
    ];
    for (const q of queries) {
      for (const path of [`/v1/facility/${fac.id}/bookings`, '/healthz', '/nowhere', '/%00']) {
        await h.app.inject({ method: 'GET', url: `${path}${q}` });
        await fetch(`${base}${path}${q}`).then((r) => r.arrayBuffer());
      }
    }
    const logs = h.logs.join('');
    expect(logs).toContain('?[redacted]');
    expect(logs).not.toContain(marker);
    expect(logs).not.toContain(OPERATOR_KEY);
    expect(logs).not.toContain(encodeURIComponent(OPERATOR_KEY));
  });

  it('serves /metrics without a token only to a scraper on this machine, not through a proxy', async () => {
    const local = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('tablehooks_');
    const remote = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '203.0.113.9',
    });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().error.code).toBe('forbidden');
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const proxied = await h.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { [header]: '203.0.113.9' },
      });
      expect(proxied.statusCode, header).toBe(403);
    }
  });
});

describeEachDialect('metrics behind a token', (dialect) => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  let h: OpsHarness;
  beforeAll(async () => {
    h = await createOpsHarness(dialect, { metricsToken: TOKEN });
  });
  afterAll(() => h.close());

  it('needs Authorization: Bearer with the token, from anywhere, loopback included', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${TOKEN}x` },
      { 'api-key': OPERATOR_KEY },
    ]) {
      const res = await h.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('tablehooks_');
    }
    for (const remoteAddress of ['127.0.0.1', '203.0.113.9']) {
      const res = await h.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('tablehooks_');
    }
  });

  it('keeps /healthz and /readyz open for probes', async () => {
    const health = await call(h, { method: 'GET', url: '/healthz' });
    expect(health.status).toBe(200);
    const ready = await call(h, { method: 'GET', url: '/readyz' });
    expect(ready.status).toBe(200);
  });
});
