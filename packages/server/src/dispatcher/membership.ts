// The live dispatchers, from their heartbeats, and this one's share of each webhook's
// concurrency: split so that all of them together never send more than the limit at one
// receiver. Each dispatcher has an index in the sorted list of live ids; the limit's
// remainder goes to different dispatchers for different webhooks (by a hash), so with a
// limit of 8 and 3 dispatchers every one gets 2 or 3, and the shares add up to 8.
// While membership changes (a dispatcher starts or dies) two of them may briefly disagree
// on who is alive; that lasts at most one heartbeat interval.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

export interface MembershipOptions {
  id: string;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Records our heartbeat and answers every live dispatcher's id, sorted. */
  beat(startedAt: number, now: number, liveAfter: number): Promise<string[]>;
  leave(): Promise<void>;
  /** Shares changed: limits may allow more (or less) now. */
  onChange(): void;
}

/** A beat this many intervals old is of a dispatcher that is gone. */
const LIVE_INTERVALS = 3;

export class Membership {
  private members: string[];
  private index = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private readonly shares = new Map<string, number>();
  /** Resolves once the first heartbeat is in: claims wait for it. */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly o: MembershipOptions) {
    this.members = [o.id];
    this.startedAt = o.clock.now();
  }

  get size(): number {
    return this.members.length;
  }

  start(): void {
    this.ready = this.beat();
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.o.leave().catch((err: unknown) => {
      this.o.logger.warn({ err }, 'dispatcher: could not leave the membership');
    });
  }

  /** This dispatcher's part of `limit` for one webhook; 0 when others cover it all. */
  share(webhookId: string, limit: number): number {
    const n = this.members.length;
    if (n === 1) return limit;
    let share = this.shares.get(webhookId);
    if (share === undefined) {
      const base = Math.floor(limit / n);
      const extra = (hash(webhookId) + this.index) % n < limit % n ? 1 : 0;
      share = base + extra;
      this.shares.set(webhookId, share);
    }
    return share;
  }

  private async beat(): Promise<void> {
    const now = this.o.clock.now();
    try {
      const live = await this.o.beat(this.startedAt, now, now - this.o.intervalMs * LIVE_INTERVALS);
      if (live.join() === this.members.join()) return;
      this.members = live;
      this.index = live.indexOf(this.o.id);
      this.shares.clear();
      this.o.logger.info({ dispatchers: live.length }, 'dispatcher: membership changed');
      this.o.onChange();
    } catch (err) {
      // Keep the last known membership; the next beat tries again.
      this.o.logger.warn({ err }, 'dispatcher: heartbeat failed');
    }
  }
}

/** FNV-1a: a cheap, stable spread of webhook ids over the dispatchers. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
