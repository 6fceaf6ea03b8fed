// The receiver fault matrix: every way a receiver can misbehave ends as one attempt row with
// the right class, within the timeout, and the right next step (retry, disable, give up) —
// never a hung dispatcher, an unbounded read, a followed redirect or a poisoned batch.

import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server,
  type Socket,
} from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Sender } from '../../src/dispatcher/sender.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { CountingListener, closedPort } from './support/listener.js';
import { logSink, recordSecret, report } from './support/run.js';
import { selfSignedCert } from './support/tls.js';

const TIMEOUT_MS = 1_000;
const PASSWORD = 'faults-webhook-password-5b1e';
const MB = 1024 * 1024;

describeEachDialect('receiver faults', (dialect) => {
  let h: Harness;
  const cleanup: (() => Promise<void> | void)[] = [];
  const matrix: Record<string, unknown> = {};

  beforeAll(async () => {
    recordSecret('faults webhook password', PASSWORD);
    h = await createHarness(
      dialect,
      {
        pollIntervalMs: 60_000,
        retrySchedule: [5, 60, 300],
        deliveryTimeoutMs: TIMEOUT_MS,
        leaseMs: 10_000,
        autoDisableAfterMs: 3_600_000,
      },
      { dispatcher: true, logSink: logSink(`faults-${dialect}`) },
    );
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    report(`receiver faults ${dialect}`, matrix);
    await h.close();
  });

  async function receiver(reply?: Parameters<TestReceiver['setDefault']>[0]) {
    const r = await TestReceiver.start();
    if (reply) r.setDefault(reply);
    cleanup.push(() => r.close());
    return r;
  }

  async function tcp(onConnection: (socket: Socket) => void): Promise<string> {
    const server: Server = createTcpServer(onConnection);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  /** A fresh facility and webhook to `url`, one event, and its delivery once attempted. */
  async function deliverOnce(url: string, name: string) {
    const fac = await createFacility(h);
    const hook = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url, username: 'u', password: PASSWORD, events: ['booking_created'] },
    });
    expect(hook.status, hook.body).toBe(201);
    const webhookId = hook.json.id as string;
    const pushed = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/events`,
      body: { id: 7, type: 'booking', action: 'BOOKING_CREATED' },
    });
    expect(pushed.status, pushed.body).toBe(202);
    let delivery: any;
    await expect
      .poll(
        async () => {
          delivery = await onlyDelivery(fac, webhookId);
          return delivery?.attempts.length ?? 0;
        },
        { timeout: 20_000, interval: 50 },
      )
      .toBeGreaterThan(0);
    const attempt = delivery.attempts[0];
    matrix[name] = {
      status: attempt.status_code,
      error: attempt.error_class,
      delivery: delivery.status,
    };
    return { fac, webhookId, delivery, attempt };
  }

  async function onlyDelivery(fac: TestFacility, webhookId: string) {
    const base = `/v1/facility/${fac.id}/webhooks/${webhookId}/deliveries`;
    const list = await call(h, { method: 'GET', url: base, key: fac.key });
    const id = list.json.objects[0]?.id;
    return id
      ? (await call(h, { method: 'GET', url: `${base}/${id}`, key: fac.key })).json
      : undefined;
  }

  const dueIn = (d: any) => Date.parse(d.next_attempt_at) - Date.parse(d.attempts[0].started_at);

  for (const status of [500, 502]) {
    it(`records a ${status} with its body and retries it on the schedule`, async () => {
      const r = await receiver({ status, body: `upstream said ${status}` });
      const { delivery, attempt } = await deliverOnce(r.url, String(status));
      expect(attempt).toMatchObject({
        status_code: status,
        error_class: 'http_status',
        response_body: `upstream said ${status}`,
        success: false,
      });
      expect(delivery.status).toBe('pending');
      expect(dueIn(delivery)).toBeGreaterThanOrEqual(5_000);
      expect(dueIn(delivery)).toBeLessThan(6_000);
    });
  }

  it('honours Retry-After in seconds on a 503', async () => {
    const r = await receiver({ status: 503, headers: { 'retry-after': '8' } });
    const { delivery, attempt } = await deliverOnce(r.url, '503 Retry-After: 8');
    expect(attempt).toMatchObject({ status_code: 503, error_class: 'http_status' });
    expect(dueIn(delivery)).toBeGreaterThanOrEqual(8_000);
    expect(dueIn(delivery)).toBeLessThan(9_000);
  });

  it('honours Retry-After in seconds on a 429', async () => {
    const r = await receiver({ status: 429, headers: { 'retry-after': '7' } });
    const { delivery } = await deliverOnce(r.url, '429 Retry-After: 7');
    expect(dueIn(delivery)).toBeGreaterThanOrEqual(7_000);
    expect(dueIn(delivery)).toBeLessThan(8_000);
  });

  it('honours Retry-After as an HTTP-date on a 429', async () => {
    const r = await receiver((res: ServerResponse) => {
      res.writeHead(429, { 'retry-after': new Date(h.clock.now() + 8_000).toUTCString() });
      res.end();
    });
    const { delivery } = await deliverOnce(r.url, '429 Retry-After: <HTTP-date>');
    // The date has whole seconds: asked for 7-8 s, which is within [5 s, 10 s].
    expect(dueIn(delivery)).toBeGreaterThanOrEqual(6_500);
    expect(dueIn(delivery)).toBeLessThan(8_500);
  });

  for (const status of [301, 302, 307]) {
    it(`does not follow a ${status}: a failed attempt, and the new location never hears of it`, async () => {
      const elsewhere = await CountingListener.start();
      cleanup.push(() => elsewhere.close());
      const r = await receiver({
        status,
        headers: { location: `http://127.0.0.1:${elsewhere.port}/elsewhere` },
      });
      const { delivery, attempt } = await deliverOnce(r.url, String(status));
      expect(attempt).toMatchObject({
        status_code: status,
        error_class: 'redirect',
        success: false,
      });
      expect(attempt.error_message).toMatch(/not followed/);
      expect(delivery.status).toBe('pending');
      expect(r.received).toHaveLength(1);
      expect(elsewhere.connections).toBe(0);
    });
  }

  it('disables the webhook on 410 Gone and gives up the delivery', async () => {
    const r = await receiver({ status: 410 });
    const { fac, webhookId, delivery } = await deliverOnce(r.url, '410');
    expect(delivery.status).toBe('failed');
    await expect
      .poll(
        async () =>
          (
            await call(h, {
              method: 'GET',
              url: `/v1/facility/${fac.id}/webhooks/${webhookId}`,
              key: fac.key,
            })
          ).json.state,
      )
      .toBe('disabled');
  });

  it('classifies a refused connection', async () => {
    const { attempt, delivery } = await deliverOnce(
      `http://127.0.0.1:${await closedPort()}/hook`,
      'connection refused',
    );
    expect(attempt).toMatchObject({ status_code: null, error_class: 'connection_refused' });
    expect(delivery.status).toBe('pending');
  });

  it('classifies a connection reset before the answer', async () => {
    const url = await tcp((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.resetAndDestroy());
    });
    const { attempt } = await deliverOnce(url, 'reset before the answer');
    expect(attempt).toMatchObject({ status_code: null, error_class: 'connection_reset' });
  });

  it('fails a 200 whose connection is reset halfway through the body', async () => {
    const url = await tcp((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nhalf of it');
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const { attempt, delivery } = await deliverOnce(url, 'reset mid-response');
    expect(attempt).toMatchObject({ success: false, error_class: 'connection_reset' });
    expect(delivery.status).toBe('pending');
  });

  it('times out a receiver that accepts and never answers', async () => {
    const r = await receiver('hang');
    const { attempt, delivery } = await deliverOnce(r.url, 'never answers');
    expect(attempt).toMatchObject({ status_code: null, error_class: 'timeout', success: false });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    expect(delivery.status).toBe('pending');
  });

  it('takes a 200 whose body trickles forever, cut at the timeout', async () => {
    let closed = false;
    const r = await receiver((res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => {
        closed = true;
        clearInterval(drip);
      });
    });
    const { attempt, delivery } = await deliverOnce(r.url, 'body trickles forever');
    expect(attempt).toMatchObject({ status_code: 200, success: true, error_class: null });
    expect(attempt.response_body).toMatch(/^\.+$/);
    expect(delivery.status).toBe('succeeded');
    // We hung up: nothing keeps the connection (or the dispatcher slot) busy.
    await expect.poll(() => closed).toBe(true);
  });

  it('reads no more than the cap of a 50 MB answer and hangs up', async () => {
    let written = 0;
    let closed = false;
    const r = await receiver((res: ServerResponse) => {
      res.writeHead(200, { 'content-length': String(50 * MB) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!closed && written < 50 * MB) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    const { attempt, delivery } = await deliverOnce(r.url, '50 MB answer');
    expect(attempt).toMatchObject({ status_code: 200, success: true });
    expect(Buffer.byteLength(attempt.response_body)).toBe(h.config.responseBodyLimit);
    expect(delivery.status).toBe('succeeded');
    await expect.poll(() => closed).toBe(true);
    // Socket buffers hold a few MB at most: the rest was never sent.
    expect(written).toBeLessThan(50 * MB);
    (matrix['50 MB answer'] as any).megabytesSentBeforeHangUp = Math.round(written / MB);
  });

  it('classifies an answer that is not HTTP', async () => {
    const url = await tcp((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('220 smtp.example.com ESMTP ready\r\n\r\n'));
    });
    const { attempt } = await deliverOnce(url, 'invalid HTTP');
    expect(attempt).toMatchObject({ status_code: null, error_class: 'invalid_response' });
  });

  it('stores an answer with NUL bytes and broken UTF-8 without failing the batch', async () => {
    const r = await receiver((res: ServerResponse) => {
      res.writeHead(500);
      res.end(Buffer.from([0x62, 0x61, 0x64, 0x00, 0xff, 0xfe, 0x21]));
    });
    const { attempt, delivery } = await deliverOnce(r.url, 'NUL bytes in the answer');
    expect(attempt).toMatchObject({ status_code: 500, error_class: 'http_status' });
    expect(attempt.response_body).toBe('bad\uFFFD\uFFFD\uFFFD!');
    expect(delivery.status).toBe('pending');
  });

  it('classifies a name that does not resolve (.invalid, RFC 6761)', async () => {
    const { attempt, delivery } = await deliverOnce(
      'http://tablehooks-reliability.invalid/hook',
      'DNS name does not resolve',
    );
    expect(attempt).toMatchObject({ status_code: null, error_class: 'dns' });
    expect(delivery.status).toBe('pending');
  });

  it('refuses a certificate it does not trust, and takes it once the CA is configured', async () => {
    const tls = selfSignedCert();
    let requests = 0;
    const server: HttpsServer = createHttpsServer(tls, (req, res) => {
      requests++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const { attempt } = await deliverOnce(url, 'TLS, untrusted certificate');
    expect(attempt).toMatchObject({ status_code: null, error_class: 'tls' });
    expect(requests).toBe(0);

    // The app has no setting for an extra CA (config.ts has none); the Sender takes one.
    const trusting = new Sender({
      timeoutMs: TIMEOUT_MS,
      bodyLimit: 4096,
      policy: { allowedCidrs: ['127.0.0.1/32'] },
      clock: h.clock,
      tls: { ca: tls.cert },
    });
    cleanup.push(() => trusting.close());
    const ok = await trusting.send(url, { 'content-type': 'application/json' }, '{}');
    expect(ok).toMatchObject({ success: true, statusCode: 200, responseBody: 'ok' });
    expect(requests).toBe(1);
    matrix['TLS, CA configured (Sender)'] = { status: ok.statusCode, error: ok.errorClass };
  });
});
