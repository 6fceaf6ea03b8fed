// The local queue's modes and limits, driven by hand: what starts, what goes back, and the
// mode changes it allows (an impossible one is an assertion, not a silent bug).
import { describe, expect, it } from 'vitest';
import { LocalQueue, type Queued } from '../../src/dispatcher/local-queue.js';
import type { Claimed } from '../../src/queue/types.js';
import { TestClock } from '../support/clock.js';

function setup(o: { perWebhook?: number; global?: number } = {}) {
  const clock = new TestClock();
  const started: Queued[] = [];
  const released: string[] = [];
  let wanted = 0;
  const q = new LocalQueue({
    perWebhookConcurrency: o.perWebhook ?? 2,
    globalConcurrency: o.global ?? 3,
    leaseNeededMs: 10_000,
    clock,
    start: (_webhook, item) => started.push(item),
    release: (ids) => released.push(...ids),
    wantMore: () => wanted++,
  });
  let n = 0;
  const add = (webhook: string, leaseMs = 60_000) => {
    const d: Claimed = {
      id: `d${++n}`,
      webhook_id: webhook,
      facility_id: 'f',
      resource_type: 'booking',
      resource_id: n,
      event: 'booking_created',
      tries: 0,
      attempt_count: 0,
      is_test: 0,
      created_at: 0,
      sequence: 1,
      last_event_at: 0,
    };
    const t = {
      id: webhook,
      url: 'http://x/',
      authorization: 'Basic x',
      signingKey: undefined,
      linkPrefix: { booking: '<x/', productorder: '<y/' },
      maxAgeMs: undefined,
    };
    q.add(d, t, clock.now() + leaseMs);
    return d.id;
  };
  return { q, clock, started, released, add, wanted: () => wanted };
}

describe('the local queue', () => {
  it('starts no more than a webhook’s slots, and no more than the global limit', () => {
    const { q, started, add } = setup({ perWebhook: 2, global: 3 });
    for (let i = 0; i < 5; i++) add('a');
    for (let i = 0; i < 5; i++) add('b');
    q.pump('a');
    q.pump('b');
    expect(started.map((s) => s.d.webhook_id)).toEqual(['a', 'a', 'b']);
    expect(q.inFlight).toBe(3);
    // A slot of a frees up: b, which waited for a global slot, gets its turn too.
    q.settled('a', true);
    expect(started.map((s) => s.d.webhook_id)).toEqual(['a', 'a', 'b', 'a']);
  });

  it('hands back a delivery whose lease could end mid-attempt instead of starting it', () => {
    const { q, started, released, add } = setup();
    const short = add('a', 5_000);
    const long = add('a');
    q.pump('a');
    expect(released).toEqual([short]);
    expect(started.map((s) => s.d.id)).toEqual([long]);
  });

  it('hands back a failing webhook’s queue and claims only its slots for it afterwards', () => {
    const { q, released, add, started } = setup({ perWebhook: 1, global: 10 });
    const ids = [add('a'), add('a'), add('a')];
    q.pump('a');
    expect(started).toHaveLength(1);
    q.settled('a', false);
    // What waited behind the failure went back to the store, for whoever is free.
    expect(released).toEqual([ids[1], ids[2]]);
    expect(started).toHaveLength(1);
    const wish = q.wish(200)!;
    expect(wish.limited).toEqual(['a']);
    expect(wish.limitedTo).toBe(1);
  });

  it('fills up, asks for nothing while full, and opens again once outcomes are written', () => {
    const { q, add } = setup({ perWebhook: 1, global: 1 });
    // Held at most 8 × global, and at least one lane's depth (16 × 1).
    const ids = Array.from({ length: 16 }, () => add('a'));
    expect(q.wish(200)).toBeUndefined();
    expect(q.mode).toBe('FULL');
    q.forget(ids.slice(0, 4));
    expect(q.roomMade).toBe(true);
    expect(q.wish(200)?.limit).toBe(4);
    expect(q.mode).toBe('OPEN');
  });

  it('drains on stop: queued work goes back, nothing new starts, and it closes when idle', async () => {
    const { q, add, released, started } = setup({ perWebhook: 1 });
    add('a');
    const queued = add('a');
    q.pump('a');
    q.drain();
    expect(q.mode).toBe('DRAINING');
    expect(released).toEqual([queued]);
    const closed = q.close();
    q.settled('a', true);
    await closed;
    expect(q.mode).toBe('CLOSED');
    expect(started).toHaveLength(1);
    expect(() => q.wish(200)).toThrow(/claiming while CLOSED/);
    q.reopen();
    expect(q.mode).toBe('OPEN');
  });

  it('refuses to settle an attempt that never started', () => {
    const { q } = setup();
    expect(() => q.settled('nobody', true)).toThrow(/not started/);
  });
});
