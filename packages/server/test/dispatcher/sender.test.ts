// One sender's attempts share one deadline list (sender.ts, Deadlines): each attempt must
// still end at its own deadline, whatever was answered or timed out around it, and an
// answer that came in time must be taken as it was, cut at the cap or the deadline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sender } from '../../src/dispatcher/sender.js';
import { TestClock } from '../support/clock.js';
import { TestReceiver } from '../support/receiver.js';

const TIMEOUT = 400;

describe('sender: deadlines of attempts in flight', () => {
  let receiver: TestReceiver;
  let sender: Sender;

  beforeEach(async () => {
    receiver = await TestReceiver.start();
    sender = new Sender({
      timeoutMs: TIMEOUT,
      bodyLimit: 64,
      policy: { allowedCidrs: ['127.0.0.1/32'] },
      clock: new TestClock(),
    });
  });

  afterEach(async () => {
    await sender.close();
    await receiver.close();
  });

  const send = (path: string) =>
    sender.send(receiver.url.replace('/hook', path), { 'content-type': 'application/json' }, '{}');
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('times out every hanging attempt at its own deadline while the ones between are answered', async () => {
    // hang, ok, hang, ok, …: answered attempts leave the list from its middle and its head.
    receiver.queue('hang', { status: 200, body: 'a' }, 'hang', { status: 204 });
    const first = [send('/1'), send('/2')];
    await pause(150);
    const later = [send('/3'), send('/4')];
    // Started after the first batch's timer was armed: this one's deadline is later.
    await pause(150);
    receiver.queue('hang');
    const last = send('/5');

    const [hang1, ok1] = await Promise.all(first);
    const [hang2, ok2] = await Promise.all(later);
    const hang3 = await last;
    expect(ok1).toMatchObject({ success: true, statusCode: 200, responseBody: 'a' });
    expect(ok2).toMatchObject({ success: true, statusCode: 204, responseBody: '' });
    for (const h of [hang1, hang2, hang3]) {
      expect(h).toMatchObject({ success: false, statusCode: null, errorClass: 'timeout' });
      // Not at an earlier attempt's deadline: each waited its own full timeout.
      expect(h!.durationMs).toBeGreaterThanOrEqual(TIMEOUT - 20);
    }
    expect(receiver.received.map((r) => r.path)).toEqual(['/1', '/2', '/3', '/4', '/5']);
  });

  it('keeps the status and the start of an answer whose body is cut at the cap or the deadline', async () => {
    receiver.queue(
      // More than the 64-byte cap: cut there, the connection closed, still a success.
      { status: 201, body: 'x'.repeat(10_000) },
      // Headers at once, then the body trickles past the deadline: the answer is what came.
      (res) => {
        res.writeHead(503, { 'retry-after': '7', 'content-type': 'text/plain' });
        res.write('busy');
      },
      // Repeated, the header is no longer one value: no Retry-After is read from it.
      (res) => {
        res.writeHead(429, ['retry-after', '1', 'retry-after', '2']);
        res.end();
      },
      // The receiver asks to be left alone (Standard Webhooks' webhook-disable).
      { status: 200, headers: { 'Webhook-Disable': ' TRUE ' } },
    );
    const [cut, trickled, twice, disable] = await Promise.all([
      send('/cap'),
      send('/trickle'),
      send('/twice'),
      send('/disable'),
    ]);
    expect(cut).toMatchObject({ success: true, statusCode: 201, responseBody: 'x'.repeat(64) });
    expect(trickled).toMatchObject({
      success: false,
      statusCode: 503,
      responseBody: 'busy',
      errorClass: 'http_status',
      retryAfter: '7',
    });
    expect(trickled.durationMs).toBeGreaterThanOrEqual(TIMEOUT - 20);
    expect(twice).toMatchObject({ statusCode: 429, retryAfter: undefined });
    expect(disable).toMatchObject({ success: true, disableRequested: true });
    expect(cut.disableRequested).toBe(false);
  });

  it('fails an attempt whose connection is refused as refused, not as a timeout', async () => {
    const closed = await TestReceiver.start();
    const url = closed.url;
    await closed.close();
    const outcome = await sender.send(url, {}, '{}');
    expect(outcome).toMatchObject({ success: false, errorClass: 'connection_refused' });
  });
});
