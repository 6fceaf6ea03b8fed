// What one dispatcher holds between a claim and the record of its outcome: a lane per
// webhook (deliveries queued here and those in flight), the per-webhook and global limits,
// and which receivers are failing. It trades a little latency for throughput as
// graphile-worker's localQueue.ts does: a healthy webhook is claimed for ahead of what it
// sends, so its slots never wait on a claim's round trip.
//
// The local queue is always in one of these modes:
//
// - OPEN: the next claim may bring more.
// - FULL: it holds all it may (HELD_FACTOR × the global limit, queued, in flight or not yet
//   written back); claims ask for nothing until outcomes are written and room is made.
// - DRAINING: the dispatcher is stopping. Nothing new starts, queued deliveries are handed
//   back at once (another dispatcher, or our successor, sends them now rather than after the
//   lease), attempts in flight finish (each has a deadline).
// - CLOSED: drained; nothing in flight. start() opens it again.
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

export interface Queued {
  d: Claimed;
  t: PreparedTarget;
  leaseUntil: number;
}

interface Lane {
  active: number;
  queue: Queued[];
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
  /** A queued delivery starts only while its lease outlasts now + this (its deadline + margin). */
  leaseNeededMs: number;
  clock: Clock;
  /** Runs one attempt; it must call settled() when the attempt is over. */
  start(webhookId: string, q: Queued): void;
  /** Claimed deliveries that will not be sent from here: due again at once, for anyone. */
  release(ids: string[]): void;
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
  /**
   * Webhooks whose last attempt failed: they get no prefetch, only their slots, so that a
   * hanging receiver holds its own slots and not a deep queue of others' leases.
   */
  private readonly failing = new Set<string>();
  /** Lanes with queued work waiting for a global slot, served in turn as slots free up. */
  private readonly waitingGlobal = new Set<string>();
  private readonly depth: number;
  private readonly lowWater: number;
  private readonly maxHeld: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: LocalQueueOptions) {
    this.depth = o.perWebhookConcurrency * PREFETCH_FACTOR;
    this.lowWater = Math.max(o.perWebhookConcurrency, this.depth >> 1);
    this.maxHeld = Math.max(o.globalConcurrency * HELD_FACTOR, this.depth);
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

  /** A lane is claimed for while below this. */
  private threshold(webhookId: string): number {
    return this.failing.has(webhookId) ? this.o.perWebhookConcurrency : this.lowWater;
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
    const excluded: string[] = [];
    for (const [id, lane] of this.lanes) {
      if (lane.active + lane.queue.length >= this.threshold(id)) excluded.push(id);
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
    let lane = this.lanes.get(t.id);
    if (!lane) {
      lane = { active: 0, queue: [] };
      this.lanes.set(t.id, lane);
    }
    // A failing webhook gets no prefetch: what a claim brought beyond its slots goes back.
    if (this.failing.has(t.id) && lane.active + lane.queue.length >= this.o.perWebhookConcurrency) {
      this.o.release([d.id]);
      return false;
    }
    lane.queue.push({ d, t, leaseUntil });
    return true;
  }

  /** Starts what the lane's and the global limits allow. */
  pump(webhookId: string): void {
    const lane = this.lanes.get(webhookId);
    if (!lane) return;
    if (this.mode === 'DRAINING' || this.mode === 'CLOSED') return;
    const { perWebhookConcurrency, globalConcurrency } = this.o;
    let startBy = 0;
    while (lane.active < perWebhookConcurrency && lane.queue.length > 0) {
      if (this.inFlight >= globalConcurrency) {
        this.waitingGlobal.add(webhookId);
        break;
      }
      const next = lane.queue.shift()!;
      startBy ||= this.o.clock.now() + this.o.leaseNeededMs;
      if (next.leaseUntil < startBy) {
        // It waited too long here: the lease could end mid-attempt. Back to the store.
        this.o.release([next.d.id]);
        continue;
      }
      lane.active++;
      this.inFlight++;
      this.o.start(webhookId, next);
    }
    if (lane.active === 0 && lane.queue.length === 0) this.lanes.delete(webhookId);
  }

  /**
   * An attempt is over (`succeeded` undefined: it broke before it had an outcome). A failure
   * hands the lane's queue back: it would only wait behind timeouts, holding leases others
   * could use.
   */
  settled(webhookId: string, succeeded: boolean | undefined): void {
    const lane = this.lanes.get(webhookId);
    assert.ok(lane && lane.active > 0, 'settled an attempt that was not started');
    if (succeeded === true && this.failing.size > 0) this.failing.delete(webhookId);
    if (succeeded === false) {
      this.failing.add(webhookId);
      this.releaseLane(lane);
    }
    const before = lane.active + lane.queue.length;
    lane.active--;
    this.inFlight--;
    this.pump(webhookId);
    if (this.waitingGlobal.size > 0 && this.inFlight < this.o.globalConcurrency) {
      for (const id of this.waitingGlobal) {
        this.waitingGlobal.delete(id);
        this.pump(id);
        if (this.inFlight >= this.o.globalConcurrency) break;
      }
    }
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (this.mode === 'DRAINING' && lane.active === 0) this.lanes.delete(webhookId);
    const threshold = this.threshold(webhookId);
    if (before >= threshold && lane.active + lane.queue.length < threshold) this.o.wantMore();
  }

  /** The outcomes of these were written (or the deliveries released): they are no longer held. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.held.delete(id);
  }

  /** True once, after the queue was FULL and writing made room: worth claiming again. */
  get roomMade(): boolean {
    return this.mode === 'FULL' && this.held.size < this.maxHeld;
  }

  /** Stopping: queued deliveries go back, nothing new starts. */
  drain(): void {
    this.setMode('DRAINING');
    for (const lane of this.lanes.values()) this.releaseLane(lane);
    this.waitingGlobal.clear();
  }

  /** Resolves once no attempt is in flight, then closes the queue. */
  async close(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    this.lanes.clear();
    if (this.mode === 'DRAINING') this.setMode('CLOSED');
  }

  /** Opens a closed queue again (a dispatcher started after a stop). */
  reopen(): void {
    if (this.mode === 'CLOSED') this.setMode('OPEN');
  }

  private releaseLane(lane: Lane): void {
    if (lane.queue.length === 0) return;
    this.o.release(lane.queue.map((q) => q.d.id));
    lane.queue.length = 0;
  }

  private queuedCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }
}
