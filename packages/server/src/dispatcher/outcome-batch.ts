// Outcomes are gathered for a few milliseconds and written in one transaction: the triggers
// are already sent, only the log lags, and each transaction costs a commit. One write at a
// time; a write that fails is kept and tried again.
import type { Logger } from '../logger.js';
import type { Claimed, DeliveryUpdate, Released } from '../queue/types.js';
import type { Outcome } from './sender.js';

export interface Finished {
  delivery: Claimed;
  outcome: Outcome;
  update: DeliveryUpdate;
  /** While credentials rotate: the first try, with the new ones, that the receiver refused. */
  refused?: Outcome | undefined;
  /** While credentials rotate: which ones `outcome` was sent with. */
  credentials?: 'new' | 'old' | null;
}

export interface Pending {
  finished: Finished[];
  /** Claimed, but their webhook or facility turned inactive: held, not sent. */
  paused: Released[];
  /** Claimed but not to be sent by us (lease too short, receiver failing, stopping). */
  released: Released[];
}

export interface OutcomeBatchOptions {
  write(batch: Pending): Promise<void>;
  logger: Logger;
  /** Gather this long, or until `flushAt` items wait. */
  flushAfterMs: number;
  flushAt: number;
  /** The pause before a failed write is tried again. */
  retryAfterMs: number;
}

export class OutcomeBatch {
  private pending: Pending = { finished: [], paused: [], released: [] };
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: OutcomeBatchOptions) {}

  private get size(): number {
    const p = this.pending;
    return p.finished.length + p.paused.length + p.released.length;
  }

  finished(f: Finished): void {
    this.pending.finished.push(f);
    this.schedule();
  }

  paused(d: Claimed): void {
    this.pending.paused.push({ id: d.id, dueAt: d.due_at });
    this.schedule();
  }

  released(ds: readonly Claimed[]): void {
    for (const d of ds) this.pending.released.push({ id: d.id, dueAt: d.due_at });
    this.schedule();
  }

  private schedule(): void {
    if (this.size >= this.o.flushAt) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.o.flushAfterMs);
  }

  /** Writes what is gathered; resolves once it is written (or kept for a retry). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.size === 0) return;
    const batch = this.pending;
    this.pending = { finished: [], paused: [], released: [] };
    this.writing = this.o
      .write(batch)
      .catch((err: unknown) => {
        this.o.logger.error(
          { err, count: batch.finished.length },
          'dispatcher: recording outcomes failed; will retry',
        );
        this.pending.finished.unshift(...batch.finished);
        this.pending.paused.unshift(...batch.paused);
        this.pending.released.unshift(...batch.released);
        setTimeout(() => void this.flush(), this.o.retryAfterMs).unref();
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  /** No timer left behind once the dispatcher has stopped. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
