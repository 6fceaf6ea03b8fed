// What one dispatcher holds between a claim and the record of its outcome: a lane per
// webhook (deliveries queued here and those in flight), the limits that decide what may start
// (the webhook's share of its concurrency, the global limit, each facility's fair share of
// it), and what each receiver's last answers said about it. It trades a little latency for
// throughput as graphile-worker's localQueue.ts does: a healthy webhook is claimed for ahead
// of what it sends, so its slots never wait on a claim's round trip.
//
// The local queue is always in one of these modes:
//
// - OPEN: the next claim may bring more.
// - FULL: it holds all it may (HELD_FACTOR × the global limit, queued, in flight or not yet
//   written back); claims ask for nothing until outcomes are written and room is made.
// - DRAINING: the dispatcher is stopping. Nothing new starts, queued deliveries are handed
//   back at once (another dispatcher, or our successor, sends them now rather than after the
//   lease), attempts in flight finish (each has a deadline).
// - CLOSED: drained; nothing in flight. reopen() opens it again.
//
// And each webhook's receiver, by its last answers:
//
// - healthy (its last attempt succeeded): claimed for ahead, up to its lane's depth;
// - unknown (not seen yet) or failing (its last attempt failed): only what its slots take, so
//   that a receiver that hangs holds its own slots and not a deep queue of others' leases;
// - slow (its last attempts timed out): its slots halve with each timeout in a row, down to
//   one, and come back at the first answer of any kind.
import assert from 'node:assert/strict';
import type { Clock } from '../clock.js';
import type { Claimed } from '../queue/types.js';
import type { PreparedTarget } from './request.js';

export type LocalQueueMode = 'OPEN' | 'FULL' | 'DRAINING' | 'CLOSED';

/**
 * A healthy webhook's lane holds up to this many times its concurrency: with 8 in flight and
 * claims of 8, every 8 deliveries waited on a claim's round trip (docs/performance.md). A
 * webhook is claimed for again once its lane is under half of that.
 */
const PREFETCH_FACTOR = 16;
/** Everything held, as a multiple of the global limit: memory stays flat whatever the backlog. */
const HELD_FACTOR = 8;
/**
 * This part of the global slots is kept for facilities that have nothing in flight: a
 * newcomer never waits for another's hanging receivers, even when that other was alone.
 */
const RESERVE_FRACTION = 1 / 4;
/**
 * Most attempts one slot of a healthy webhook is given at once (a chain, Senders.chain): the
 * next starts where the last one was sent, without a trip through our event loop.
 */
export const MAX_CHAIN = 16;

export interface Queued {
  d: Claimed;
  t: PreparedTarget;
  leaseUntil: number;
}

interface Lane {
  facility: string;
  /** Slots in use: chains running (most of them one attempt long). */
  active: number;
  /** Deliveries handed to those chains and not yet done: the lane holds these and its queue. */
  chained: number;
  queue: Queued[];
}

/** What an attempt said about its receiver. */
export interface Settled {
  succeeded: boolean;
  /** An HTTP answer of any status came back (the receiver is there, if unhappy). */
  answered: boolean;
  timedOut: boolean;
}

/** What the next claim may ask for. */
export interface ClaimWish {
  limit: number;
  /** Most deliveries of one webhook in this claim. */
  perWebhook: number;
  /** Webhooks whose lane is deep enough: left out of the claim. */
  excluded: string[];
  /** Failing webhooks: they may take only `limitedTo` (their slots, no prefetch). */
  limited: string[];
  limitedTo: number;
}

export interface LocalQueueOptions {
  perWebhookConcurrency: number;
  globalConcurrency: number;
  /** This dispatcher's part of a webhook's concurrency (membership.ts); all of it when alone. */
  share(webhookId: string): number;
  /** A queued delivery starts only while its lease outlasts now + this (its deadline + margin). */
  leaseNeededMs: number;
  clock: Clock;
  /**
   * Runs a chain of attempts in one slot, one after another; it calls progress() for each
   * that succeeded and settled() when the chain is over.
   */
  start(webhookId: string, chain: Queued[]): void;
  /** Claimed deliveries that will not be sent from here: due again for anyone, where they were. */
  release(ds: Claimed[]): void;
  /** A lane ran low (or room was made): the claim loop may want to claim now. */
  wantMore(): void;
}

export class LocalQueue {
  mode: LocalQueueMode = 'OPEN';
  /** In flight across all lanes: bounded by the global limit. */
  inFlight = 0;
  /** Webhooks left out of the last claim because their lane was deep enough. */
  excludedLastClaim = 0;
  /**
   * Deliveries held here (queued, in flight, or finished or released but not yet written).
   * If a lease runs out while an attempt is still going (a receiver slower than the lease),
   * the next claim may return the same delivery: it must not be sent twice by us, nor its
   * outcome written twice.
   */
  private readonly held = new Set<string>();
  private readonly lanes = new Map<string, Lane>();
  private readonly healthy = new Set<string>();
  private readonly failing = new Set<string>();
  /** Timeouts in a row, per webhook. */
  private readonly slow = new Map<string, number>();
  /** In flight per facility, and how many lanes each facility has: its fair share. */
  private readonly facilityInFlight = new Map<string, number>();
  private readonly facilityLanes = new Map<string, number>();
  /**
   * Webhooks whose whole concurrency other dispatchers hold (our share is 0): left out of our
   * claims until the membership changes, so we don't claim and hand back their work in a loop.
   */
  private readonly noShare = new Set<string>();
  /** Lanes with queued work waiting for a global slot (or their facility's share of them). */
  private readonly waitingGlobal = new Set<string>();
  private readonly depth: number;
  private readonly lowWater: number;
  private readonly maxHeld: number;
  private readonly reserve: number;
  /** Of the reserve, what only a facility with nothing in flight may take. */
  private readonly newcomers: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: LocalQueueOptions) {
    this.depth = o.perWebhookConcurrency * PREFETCH_FACTOR;
    this.lowWater = Math.max(o.perWebhookConcurrency, this.depth >> 1);
    this.maxHeld = Math.max(o.globalConcurrency * HELD_FACTOR, this.depth);
    this.reserve = Math.floor(o.globalConcurrency * RESERVE_FRACTION);
    this.newcomers = this.reserve >> 2;
  }

  private setMode(mode: LocalQueueMode): void {
    switch (mode) {
      case 'OPEN':
        assert.ok(this.mode === 'FULL' || this.mode === 'CLOSED', `OPEN from ${this.mode}`);
        break;
      case 'FULL':
        assert.equal(this.mode, 'OPEN', 'only an open queue fills up');
        assert.ok(this.held.size >= this.maxHeld, 'FULL while there is room');
        break;
      case 'DRAINING':
        assert.ok(this.mode === 'OPEN' || this.mode === 'FULL', `DRAINING from ${this.mode}`);
        break;
      case 'CLOSED':
        assert.equal(this.mode, 'DRAINING', 'only a draining queue closes');
        assert.equal(this.inFlight, 0, 'CLOSED with attempts in flight');
        assert.equal(this.queuedCount(), 0, 'CLOSED with deliveries queued');
        break;
    }
    this.mode = mode;
  }

  /** How many attempts a webhook may have in flight here now. */
  slots(webhookId: string): number {
    const share = this.o.share(webhookId);
    const timeouts = this.slow.get(webhookId);
    if (timeouts === undefined || share === 0) return share;
    return Math.max(1, share >> Math.min(timeouts, 16));
  }

  /** A lane is claimed for while below this. */
  private threshold(webhookId: string): number {
    return this.healthy.has(webhookId) ? this.lowWater : this.slots(webhookId);
  }

  /** What the next claim may ask for; undefined when it may ask for nothing. */
  wish(maxBatch: number): ClaimWish | undefined {
    assert.ok(this.mode === 'OPEN' || this.mode === 'FULL', `claiming while ${this.mode}`);
    const limit = Math.min(this.maxHeld - this.held.size, maxBatch);
    if (limit <= 0) {
      if (this.mode === 'OPEN') this.setMode('FULL');
      return undefined;
    }
    if (this.mode === 'FULL') this.setMode('OPEN');
    const excluded: string[] = [...this.noShare];
    for (const [id, lane] of this.lanes) {
      if (lane.chained + lane.queue.length >= this.threshold(id)) excluded.push(id);
    }
    const limited: string[] = [];
    for (const id of this.failing) if (!excluded.includes(id)) limited.push(id);
    this.excludedLastClaim = excluded.length;
    return {
      limit,
      // It is asked for only below the low-water mark, so a lane never holds more than its depth.
      perWebhook: this.depth - this.lowWater,
      excluded,
      limited,
      limitedTo: this.o.perWebhookConcurrency,
    };
  }

  isHeld(id: string): boolean {
    return this.held.has(id);
  }

  /** A claimed delivery joins its webhook's lane; false when it is handed back instead. */
  add(d: Claimed, t: PreparedTarget, leaseUntil: number): boolean {
    this.held.add(d.id);
    if (this.o.share(t.id) === 0) {
      this.noShare.add(t.id);
      this.o.release([d]);
      return false;
    }
    let lane = this.lanes.get(t.id);
    const room = this.healthy.has(t.id) ? Number.POSITIVE_INFINITY : this.slots(t.id);
    // Not known to be healthy: no prefetch; what a claim brought beyond its slots goes back.
    if ((lane ? lane.chained + lane.queue.length : 0) >= room) {
      this.o.release([d]);
      return false;
    }
    if (!lane) {
      lane = { facility: d.facility_id, active: 0, chained: 0, queue: [] };
      this.lanes.set(t.id, lane);
      this.facilityLanes.set(lane.facility, (this.facilityLanes.get(lane.facility) ?? 0) + 1);
    }
    lane.queue.push({ d, t, leaseUntil });
    return true;
  }

  /**
   * May this facility start one more attempt? One with nothing in flight may take any free
   * slot (the reserve is kept for this); one below its fair share of the rest (an equal part
   * for each facility with work here) may take any but the reserve; beyond its fair share,
   * only what no other facility is still owed of its own share.
   */
  private facilityMayStart(facility: string): boolean {
    const facilities = Math.max(1, this.facilityLanes.size);
    const free = this.o.globalConcurrency - this.inFlight;
    const mine = this.facilityInFlight.get(facility) ?? 0;
    if (mine === 0) return free > 0;
    const fair = Math.floor((this.o.globalConcurrency - this.reserve) / facilities);
    // Below its fair share, most of the reserve is open to it too: a quiet facility with a
    // slow receiver gets its share while others' receivers hang on everything outside the
    // reserve. A few slots stay for facilities with nothing in flight at all.
    if (mine < fair) return free > this.newcomers;
    return free > this.reserve + this.owedToOthers(facility, fair);
  }

  /** Slots other facilities could still take within their fair share, for work they hold. */
  private owedToOthers(facility: string, fair: number): number {
    const demand = new Map<string, number>();
    for (const lane of this.lanes.values()) {
      if (lane.facility === facility) continue;
      demand.set(lane.facility, (demand.get(lane.facility) ?? 0) + lane.active + lane.queue.length);
    }
    let owed = 0;
    for (const [f, wants] of demand) {
      owed += Math.max(0, Math.min(fair, wants) - (this.facilityInFlight.get(f) ?? 0));
    }
    return owed;
  }

  /** Starts what the lane's, the facility's and the global limits allow. */
  pump(webhookId: string): void {
    const lane = this.lanes.get(webhookId);
    if (!lane) return;
    if (this.mode === 'DRAINING' || this.mode === 'CLOSED') return;
    const slots = this.slots(webhookId);
    let startBy = 0;
    while (lane.active < slots && lane.queue.length > 0) {
      if (this.inFlight >= this.o.globalConcurrency || !this.facilityMayStart(lane.facility)) {
        this.waitingGlobal.add(webhookId);
        break;
      }
      startBy ||= this.o.clock.now() + this.o.leaseNeededMs;
      const length = this.chainLength(webhookId, lane, slots);
      const chain: Queued[] = [];
      while (chain.length < length && lane.queue.length > 0) {
        const next = lane.queue.shift()!;
        // It waited too long here: the lease could end mid-attempt. Back to the store.
        if (next.leaseUntil < startBy) this.o.release([next.d]);
        else chain.push(next);
      }
      if (chain.length === 0) continue;
      lane.active++;
      lane.chained += chain.length;
      this.inFlight++;
      this.facilityInFlight.set(lane.facility, (this.facilityInFlight.get(lane.facility) ?? 0) + 1);
      this.o.start(webhookId, chain);
    }
    // No share at all here (other dispatchers cover this webhook): what waits goes back.
    if (slots === 0 && lane.queue.length > 0) this.releaseLane(lane);
    this.dropIfEmpty(webhookId, lane);
  }

  /**
   * How many of its queue a slot takes at once. One, unless the receiver is healthy and no
   * other lane waits for a slot: a chain holds its slot until it ends, so a failing or
   * unknown receiver, or another facility's turn, never waits behind one. Otherwise the
   * queue shared over the free slots, each chain at most MAX_CHAIN long.
   */
  private chainLength(webhookId: string, lane: Lane, slots: number): number {
    if (!this.healthy.has(webhookId) || this.waitingGlobal.size > 0) return 1;
    return Math.min(MAX_CHAIN, Math.ceil(lane.queue.length / (slots - lane.active)));
  }

  /** A chain's attempt succeeded (the chain goes on): one delivery fewer held in the lane. */
  progress(webhookId: string): void {
    const lane = this.lanes.get(webhookId);
    assert.ok(lane && lane.chained > 0, 'progress of a chain that was not started');
    const threshold = this.threshold(webhookId);
    const before = lane.chained + lane.queue.length;
    lane.chained--;
    if (before >= threshold && before - 1 < threshold) this.o.wantMore();
  }

  /**
   * A chain is over (`result`: what its last attempt said; undefined: it broke before it had
   * an outcome); `rest` of its deliveries were not reported by progress() (the last attempt,
   * if it failed; those not attempted, which the caller has handed back). A failure hands the
   * lane's queue back: it would only wait behind timeouts, holding leases others could use.
   */
  settled(webhookId: string, result: Settled | undefined, rest = 1): void {
    const lane = this.lanes.get(webhookId);
    assert.ok(lane && lane.active > 0, 'settled an attempt that was not started');
    assert.ok(rest >= 0 && rest <= lane.chained, 'settled more than the chain held');
    if (result) this.judge(webhookId, lane, result);
    const before = lane.chained + lane.queue.length;
    lane.chained -= rest;
    lane.active--;
    this.inFlight--;
    const left = (this.facilityInFlight.get(lane.facility) ?? 1) - 1;
    if (left > 0) this.facilityInFlight.set(lane.facility, left);
    else this.facilityInFlight.delete(lane.facility);
    // With others waiting for a slot, this lane takes its turn among them rather than first.
    if (this.waitingGlobal.size > 0 && lane.queue.length > 0) this.waitingGlobal.add(webhookId);
    else this.pump(webhookId);
    this.serveWaiting();
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (this.mode === 'DRAINING') this.dropIfEmpty(webhookId, lane);
    const threshold = this.threshold(webhookId);
    if (before >= threshold && lane.chained + lane.queue.length < threshold) this.o.wantMore();
  }

  private judge(webhookId: string, lane: Lane, r: Settled): void {
    if (r.succeeded) {
      this.failing.delete(webhookId);
      this.healthy.add(webhookId);
    } else {
      this.failing.add(webhookId);
      this.healthy.delete(webhookId);
      this.releaseLane(lane);
    }
    if (r.answered) this.slow.delete(webhookId);
    else if (r.timedOut) this.slow.set(webhookId, (this.slow.get(webhookId) ?? 0) + 1);
  }

  /**
   * Freed slots go to waiting lanes: the facility with the least in flight first, then the
   * lane with the least in flight.
   */
  private serveWaiting(): void {
    if (this.waitingGlobal.size === 0 || this.inFlight >= this.o.globalConcurrency) return;
    const rank = (id: string) => {
      const lane = this.lanes.get(id);
      if (!lane) return 0;
      return (this.facilityInFlight.get(lane.facility) ?? 0) * 1_000_000 + lane.active;
    };
    const order = [...this.waitingGlobal].sort((a, b) => rank(a) - rank(b));
    for (const id of order) {
      this.waitingGlobal.delete(id);
      this.pump(id);
      if (this.inFlight >= this.o.globalConcurrency) break;
    }
  }

  /** The outcomes of these were written (or the deliveries released): they are no longer held. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.held.delete(id);
  }

  /** True after the queue was FULL and writing made room: worth claiming again. */
  get roomMade(): boolean {
    return this.mode === 'FULL' && this.held.size < this.maxHeld;
  }

  /** Shares changed (a dispatcher came or went): start what the new limits allow. */
  rebalance(): void {
    this.noShare.clear();
    for (const id of [...this.lanes.keys()]) this.pump(id);
  }

  /** Stopping: queued deliveries go back, nothing new starts. */
  drain(): void {
    this.setMode('DRAINING');
    for (const [id, lane] of [...this.lanes]) {
      this.releaseLane(lane);
      this.dropIfEmpty(id, lane);
    }
    this.waitingGlobal.clear();
  }

  /** Resolves once no attempt is in flight, then closes the queue. */
  async close(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    for (const [id, lane] of [...this.lanes]) this.dropIfEmpty(id, lane);
    if (this.mode === 'DRAINING') this.setMode('CLOSED');
  }

  /** Opens a closed queue again (a dispatcher started after a stop). */
  reopen(): void {
    if (this.mode === 'CLOSED') this.setMode('OPEN');
  }

  private releaseLane(lane: Lane): void {
    if (lane.queue.length === 0) return;
    this.o.release(lane.queue.map((q) => q.d));
    lane.queue.length = 0;
  }

  private dropIfEmpty(webhookId: string, lane: Lane): void {
    if (lane.active > 0 || lane.queue.length > 0 || this.lanes.get(webhookId) !== lane) return;
    this.lanes.delete(webhookId);
    this.waitingGlobal.delete(webhookId);
    const n = (this.facilityLanes.get(lane.facility) ?? 1) - 1;
    if (n > 0) this.facilityLanes.set(lane.facility, n);
    else this.facilityLanes.delete(lane.facility);
  }

  private queuedCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }
}
