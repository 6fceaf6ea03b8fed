// A chain of attempts (Senders.chain): one slot's deliveries sent one after another, each as
// soon as the one before succeeded, in-process and from a sender thread alike. What a chain
// must never do is send past a failure, past an item's start window, or after a halt.
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChainItem, Outcome } from '../../src/dispatcher/sender.js';
import { createSenders, type Senders } from '../../src/dispatcher/senders.js';
import { TestClock } from '../support/clock.js';
import { TestReceiver } from '../support/receiver.js';

const later = (ms: number) => (res: ServerResponse) =>
  setTimeout(() => {
    res.writeHead(200);
    res.end('ok');
  }, ms);

for (const threads of [0, 1]) {
  describe(`sender chains (${threads === 0 ? 'in-process' : 'sender thread'})`, () => {
    let receiver: TestReceiver;
    let senders: Senders;
    let clock: TestClock;

    beforeEach(async () => {
      receiver = await TestReceiver.start();
      clock = new TestClock();
      senders = createSenders({
        threads,
        timeoutMs: 2_000,
        bodyLimit: 64,
        policy: { allowedCidrs: ['127.0.0.1/32'] },
        clock,
      });
    });
    afterEach(async () => {
      await senders.close();
      await receiver.close();
    });

    const items = (n: number, startWithinMs = 60_000): ChainItem[] =>
      Array.from({ length: n }, (_, i) => ({
        url: `${receiver.url}/${i}`,
        headers: { 'content-type': 'application/json' },
        body: `{"n":${i}}`,
        startWithinMs,
      }));

    async function run(chain: ChainItem[]) {
      const reports: { index: number; outcome: Outcome; offsetMs: number }[] = [];
      const attempted = await senders.chain(chain, (index, outcome, offsetMs) =>
        reports.push({ index, outcome, offsetMs }),
      );
      return { attempted, reports };
    }

    it('sends its items in order, one at a time, and reports each as it ends', async () => {
      receiver.setDefault(later(20));
      const start = clock.now();
      const { attempted, reports } = await run(items(5));
      expect(attempted).toBe(5);
      expect(receiver.received.map((r) => r.path)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `/hook/${i}`),
      );
      expect(receiver.received.map((r) => r.body)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `{"n":${i}}`),
      );
      // One slot: never two of its attempts at the receiver at once.
      expect(receiver.maxOpen).toBe(1);
      expect(reports.map((r) => [r.index, r.outcome.statusCode])).toEqual(
        [0, 1, 2, 3, 4].map((i) => [i, 200]),
      );
      // Each started after the one before had its answer (20 ms each).
      for (let i = 1; i < 5; i++) {
        expect(reports[i]!.offsetMs).toBeGreaterThanOrEqual(reports[i - 1]!.offsetMs + 15);
      }
      // Starts are on the caller's clock (injected here, frozen): the chain's start plus the offset.
      for (const r of reports) {
        expect(r.outcome.startedAt).toBeGreaterThanOrEqual(start);
        expect(r.outcome.startedAt).toBeLessThanOrEqual(start + Math.round(r.offsetMs) + 1);
      }
    });

    it('ends at the first attempt that did not succeed: nothing after it is sent', async () => {
      receiver.queue({ status: 200 }, { status: 204 }, { status: 500, body: 'down' });
      const { attempted, reports } = await run(items(6));
      expect(attempted).toBe(3);
      expect(receiver.received).toHaveLength(3);
      expect(reports.map((r) => r.outcome.success)).toEqual([true, true, false]);
      expect(reports[2]!.outcome).toMatchObject({ statusCode: 500, errorClass: 'http_status' });
      // A timeout and a refused connection end it the same way.
      receiver.queue('hang');
      const hung = await run(items(3));
      expect(hung.attempted).toBe(1);
      expect(hung.reports[0]!.outcome.errorClass).toBe('timeout');
      const refused = await run(items(3).map((i) => ({ ...i, url: 'http://127.0.0.1:1/hook' })));
      expect(refused.attempted).toBe(1);
      expect(refused.reports[0]!.outcome.errorClass).toBe('connection_refused');
      expect(receiver.received).toHaveLength(4);
    }, 10_000);

    it('starts no item after its start window (its lease could end mid-attempt); the first always goes', async () => {
      receiver.setDefault(later(60));
      // Every item may start only within 30 ms of the chain's start: the first is sent even so
      // (the dispatcher checked it), the second would start at ~60 ms.
      const { attempted } = await run(items(4, 30));
      expect(attempted).toBe(1);
      await new Promise((r) => setTimeout(r, 150));
      expect(receiver.received).toHaveLength(1);
      // A window that the answers fit in: all of them.
      const roomy = await run(items(3, 10_000));
      expect(roomy.attempted).toBe(3);
    });

    it('stops the chains running when halted, and only those', async () => {
      receiver.setDefault(later(80));
      const first = run(items(5));
      const second = run(items(5));
      await receiver.waitFor(2);
      senders.halt();
      const [a, b] = await Promise.all([first, second]);
      // Each finishes the attempt it was on (it has a deadline of its own) and starts no more.
      expect([a.attempted, b.attempted]).toEqual([1, 1]);
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.received).toHaveLength(2);
      // A chain handed over after the halt runs to its end.
      const after = await run(items(3));
      expect(after.attempted).toBe(3);
      expect(receiver.received).toHaveLength(5);
    });
  });
}
