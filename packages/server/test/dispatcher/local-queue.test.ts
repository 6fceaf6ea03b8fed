// The local queue's modes and limits, driven by hand: what starts, what goes back, who gets
// a freed slot, and the mode changes it allows (an impossible one is an assertion).
import { describe, expect, it } from 'vitest';
import {
  LocalQueue,
  MAX_CHAIN,
  type Queued,
  type Settled,
} from '../../src/dispatcher/local-queue.js';
import type { Claimed } from '../../src/queue/types.js';
import { TestClock } from '../support/clock.js';

const OK: Settled = { succeeded: true, answered: true, timedOut: false };
const HTTP_500: Settled = { succeeded: false, answered: true, timedOut: false };
const TIMEOUT: Settled = { succeeded: false, answered: false, timedOut: true };

function setup(o: { perWebhook?: number; global?: number; share?: (w: string) => number } = {}) {
  const clock = new TestClock();
  /** What each slot was given when it started: a chain of one or more deliveries. */
  const chains: Queued[][] = [];
  const released: string[] = [];
  let wanted = 0;
  const perWebhook = o.perWebhook ?? 2;
  const q = new LocalQueue({
    perWebhookConcurrency: perWebhook,
    globalConcurrency: o.global ?? 3,
    share: o.share ?? (() => perWebhook),
    leaseNeededMs: 10_000,
    clock,
    start: (_webhook, chain) => chains.push(chain),
    release: (ds) => released.push(...ds.map((d) => d.id)),
    wantMore: () => wanted++,
  });
  let n = 0;
  const add = (webhook: string, o: { leaseMs?: number; facility?: string } = {}) => {
    const d: Claimed = {
      id: `d${++n}`,
      webhook_id: webhook,
      facility_id: o.facility ?? 'f',
      resource_type: 'booking',
      resource_id: n,
      event: 'booking_created',
      tries: 0,
      attempt_count: 0,
      is_test: 0,
      created_at: 0,
      sequence: 1,
      last_event_at: 0,
      due_at: 0,
    };
    const t = {
      id: webhook,
      url: 'http://x/',
      authorization: 'Basic x',
      fallbackAuthorization: undefined,
      signingKeys: [],
      linkPrefix: { booking: '<x/', productorder: '<y/' },
      maxAgeMs: undefined,
    };
    return q.add(d, t, clock.now() + (o.leaseMs ?? 60_000)) ? d.id : undefined;
  };
  /** Makes a webhook known to be healthy: one attempt that succeeded. */
  const warm = (webhook: string, facility?: string) => {
    add(webhook, { facility });
    q.pump(webhook);
    q.settled(webhook, OK);
  };
  /** Slots a webhook's chains have taken (in flight or over). */
  const startedFor = (w: string) => chains.filter((c) => c[0]!.d.webhook_id === w).length;
  const started = () => chains.flat();
  return { q, clock, chains, started, released, add, warm, startedFor, wantedMore: () => wanted };
}

describe('the local queue', () => {
  it('claims no more than its slots for a webhook it does not know yet, and hands back the rest', () => {
    const { q, add, released } = setup({ perWebhook: 2 });
    const ids = [add('a'), add('a'), add('a')];
    expect(ids[2]).toBeUndefined();
    expect(released).toEqual(['d3']);
    q.pump('a');
    expect(q.inFlight).toBe(2);
  });

  it('queues ahead for a healthy webhook, and starts no more than its slots and the global limit', () => {
    const { q, add, warm, startedFor } = setup({ perWebhook: 2, global: 3 });
    warm('a');
    warm('b');
    for (let i = 0; i < 5; i++) add('a');
    for (let i = 0; i < 5; i++) add('b');
    q.pump('a');
    q.pump('b');
    expect(q.inFlight).toBe(3);
    expect(startedFor('a')).toBe(1 + 2);
    // A slot of a frees up: b, which waited for a global slot, gets it (a has two in flight).
    q.settled('a', OK, 3);
    expect(startedFor('b')).toBe(1 + 2);
  });

  it('hands back a delivery whose lease could end mid-attempt instead of starting it', () => {
    const { q, started, released, add } = setup();
    const short = add('a', { leaseMs: 5_000 });
    const long = add('a');
    q.pump('a');
    expect(released).toEqual([short]);
    expect(started().map((s) => s.d.id)).toEqual([long]);
  });

  it('hands back a failing webhook’s queue and claims only its slots for it afterwards', () => {
    const { q, released, add, warm, chains } = setup({ perWebhook: 1, global: 10 });
    warm('a');
    const ids = Array.from({ length: MAX_CHAIN + 2 }, () => add('a'));
    q.pump('a');
    // The chain's first attempt failed: the chain ends, its rest goes back (the dispatcher).
    q.settled('a', HTTP_500, MAX_CHAIN);
    // What waited behind the chain went back to the store too, for whoever is free.
    expect(released).toEqual(ids.slice(MAX_CHAIN));
    expect(chains).toHaveLength(2);
    const wish = q.wish(200)!;
    expect(wish.limited).toEqual(['a']);
    expect(wish.limitedTo).toBe(1);
  });

  it('halves a webhook’s slots with each timeout in a row, down to one, and restores them at its next answer', () => {
    const { q, add } = setup({ perWebhook: 8, global: 100 });
    add('a');
    q.pump('a');
    expect(q.slots('a')).toBe(8);
    q.settled('a', TIMEOUT);
    expect(q.slots('a')).toBe(4);
    for (const expected of [2, 1, 1]) {
      add('a');
      q.pump('a');
      q.settled('a', TIMEOUT);
      expect(q.slots('a')).toBe(expected);
    }
    add('a');
    q.pump('a');
    q.settled('a', HTTP_500);
    expect(q.slots('a')).toBe(8);
  });

  it('keeps a quarter of the global slots for a facility with nothing in flight while others hang', () => {
    const { q, add, startedFor } = setup({ perWebhook: 8, global: 16 });
    // Three noisy facilities, each with two webhooks whose first attempts hang, claimed
    // together (one claim brings them all, then the lanes start).
    const noisy = ['n1', 'n2', 'n3'].flatMap((f) => [`${f}-a`, `${f}-b`]);
    for (const w of noisy) for (let i = 0; i < 8; i++) add(w, { facility: w.slice(0, 2) });
    for (const w of noisy) q.pump(w);
    // A quarter (4) is kept; of the rest each gets its fair share, (16 - 4) / 3 = 4.
    expect(q.inFlight).toBe(12);
    for (const f of ['n1', 'n2', 'n3']) expect(startedFor(`${f}-a`) + startedFor(`${f}-b`)).toBe(4);
    add('quiet', { facility: 'q' });
    q.pump('quiet');
    expect(startedFor('quiet')).toBe(1);
  });

  it('still has a slot for a quiet facility when the noisy ones arrived one after the other', () => {
    const { q, add, startedFor } = setup({ perWebhook: 8, global: 64 });
    for (const f of ['n1', 'n2', 'n3']) {
      for (const w of [`${f}-a`, `${f}-b`, `${f}-c`]) {
        for (let i = 0; i < 8; i++) add(w, { facility: f });
        q.pump(w);
      }
    }
    expect(q.inFlight).toBeLessThan(64);
    add('quiet', { facility: 'q' });
    q.pump('quiet');
    expect(startedFor('quiet')).toBe(1);
  });

  it('gives a freed slot to the facility with the least in flight, and keeps a quarter for newcomers', () => {
    const { q, add, startedFor } = setup({ perWebhook: 4, global: 8 });
    for (const w of ['busy1', 'busy2']) for (let i = 0; i < 4; i++) add(w, { facility: 'b' });
    for (let i = 0; i < 4; i++) add('other', { facility: 'o' });
    for (const w of ['busy1', 'busy2', 'other']) q.pump(w);
    // Two of the eight are kept; each facility gets its fair share (8 - 2) / 2 = 3.
    expect([startedFor('busy1') + startedFor('busy2'), startedFor('other')]).toEqual([3, 3]);
    q.settled('busy1', OK);
    // b now has 2 in flight, o has 3: the freed slot is b's, for its idle lane first.
    expect(startedFor('busy2')).toBe(1);
    expect(startedFor('other')).toBe(3);
    // A newcomer takes a slot from the reserve at once.
    add('new', { facility: 'n' });
    q.pump('new');
    expect(startedFor('new')).toBe(1);
  });

  it('sends nothing for a webhook whose whole concurrency other dispatchers hold', () => {
    const { q, add, released } = setup({ share: (w) => (w === 'theirs' ? 0 : 2) });
    expect(add('theirs')).toBeUndefined();
    expect(released).toEqual(['d1']);
    expect(q.inFlight).toBe(0);
  });

  it('fills up, asks for nothing while full, and opens again once outcomes are written', () => {
    const { q, add, warm } = setup({ perWebhook: 1, global: 1 });
    warm('a');
    q.forget(['d1']);
    // Held at most 8 × global, and at least one lane's depth (16 × 1).
    const ids = Array.from({ length: 16 }, () => add('a')!);
    expect(q.wish(200)).toBeUndefined();
    expect(q.mode).toBe('FULL');
    q.forget(ids.slice(0, 4));
    expect(q.roomMade).toBe(true);
    expect(q.wish(200)?.limit).toBe(4);
    expect(q.mode).toBe('OPEN');
  });

  it('drains on stop: queued work goes back, nothing new starts, and it closes when idle', async () => {
    const { q, add, released, chains, warm } = setup({ perWebhook: 1 });
    warm('a');
    for (let i = 0; i < MAX_CHAIN; i++) add('a');
    const queued = add('a');
    q.pump('a');
    q.drain();
    expect(q.mode).toBe('DRAINING');
    expect(released).toEqual([queued]);
    const closed = q.close();
    q.settled('a', OK, MAX_CHAIN);
    await closed;
    expect(q.mode).toBe('CLOSED');
    expect(chains).toHaveLength(2);
    expect(() => q.wish(200)).toThrow(/claiming while CLOSED/);
    q.reopen();
    expect(q.mode).toBe('OPEN');
  });

  it('refuses to settle an attempt that never started', () => {
    const { q } = setup();
    expect(() => q.settled('nobody', OK)).toThrow(/not started/);
  });

  describe('chains', () => {
    it('shares a healthy webhook’s queue over its free slots, each chain at most MAX_CHAIN long', () => {
      const { q, add, warm, chains } = setup({ perWebhook: 2, global: 10 });
      warm('a');
      for (let i = 0; i < 5; i++) add('a');
      q.pump('a');
      expect(chains.slice(1).map((c) => c.length)).toEqual([3, 2]);
      q.settled('a', OK, 3);
      q.settled('a', OK, 2);
      for (let i = 0; i < 3 * MAX_CHAIN; i++) add('a');
      q.pump('a');
      expect(chains.slice(3).map((c) => c.length)).toEqual([MAX_CHAIN, MAX_CHAIN]);
      expect(q.inFlight).toBe(2);
    });

    it('gives a webhook not known to be healthy chains of one', () => {
      const { q, add, chains } = setup({ perWebhook: 2, global: 10 });
      add('new');
      add('new');
      q.pump('new');
      expect(chains.map((c) => c.length)).toEqual([1, 1]);
      const {
        q: q2,
        add: add2,
        warm: warm2,
        chains: chains2,
      } = setup({
        perWebhook: 1,
        global: 10,
      });
      warm2('failing');
      add2('failing');
      q2.pump('failing');
      q2.settled('failing', HTTP_500);
      add2('failing');
      q2.pump('failing');
      expect(chains2.map((c) => c.length)).toEqual([1, 1, 1]);
    });

    it('gives chains of one while another lane waits for a global slot, so slots keep turning over', () => {
      const { q, add, warm, chains } = setup({ perWebhook: 4, global: 4 });
      warm('a', 'fa');
      warm('b', 'fb');
      for (let i = 0; i < 8; i++) add('a', { facility: 'fa' });
      for (let i = 0; i < 8; i++) add('b', { facility: 'fb' });
      const shape = () => chains.slice(2).map((c) => [c[0]!.d.webhook_id, c.length]);
      q.pump('a');
      // a takes what its facility may (its fair share, and one more while b is owed nothing
      // yet) in chains; then it waits for a slot. b, starting while a waits, gets one.
      q.pump('b');
      expect(shape()).toEqual([
        ['a', 2],
        ['a', 2],
        ['b', 1],
      ]);
      // A chain of a ends: the slot goes to a waiting lane, one delivery at a time.
      q.settled('a', OK, 2);
      expect(shape().slice(3)).toEqual([['a', 1]]);
      expect(q.inFlight).toBe(3);
    });

    it('leaves out of a chain what could outlive its lease, and counts a chain’s progress against its lane', () => {
      const { q, add, warm, chains, released } = setup({ perWebhook: 1, global: 10 });
      warm('a');
      const short = add('a', { leaseMs: 5_000 });
      const kept = Array.from({ length: 4 }, () => add('a'));
      q.pump('a');
      expect(released).toEqual([short]);
      expect(chains[1]!.map((x) => x.d.id)).toEqual(kept);
      // The lane holds 4 (all in the chain), under its low water (8): it is claimed for.
      expect(q.wish(200)?.excluded).toEqual([]);
      for (let i = 0; i < 3; i++) q.progress('a');
      q.settled('a', OK, 1);
      expect(q.inFlight).toBe(0);
      // Settled with more than the chain held: our bug, not a count gone negative.
      add('a');
      q.pump('a');
      expect(() => q.settled('a', OK, 2)).toThrow(/more than the chain held/);
    });

    it('asks for more as soon as a chain’s progress takes its lane below the low water', () => {
      const { q, add, warm, wantedMore } = setup({ perWebhook: 1, global: 10 });
      warm('a');
      // Depth 16 for one slot: the low water is 8. One chain of 16 holds them all.
      for (let i = 0; i < 16; i++) add('a');
      q.pump('a');
      expect(q.wish(200)?.excluded).toEqual(['a']);
      const before = wantedMore();
      for (let i = 0; i < 8; i++) q.progress('a');
      expect(wantedMore()).toBe(before);
      q.progress('a');
      expect(wantedMore()).toBe(before + 1);
      expect(q.wish(200)?.excluded).toEqual([]);
    });
  });
});
