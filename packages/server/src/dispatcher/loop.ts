// The claim loop, kept apart from what it runs (as pg-boss's worker.ts): fetch; when that
// leaves nothing to claim right now, sleep until the next due time — unless notified
// meanwhile, which cuts the sleep short (a commit, a NOTIFY, a slot that freed up).
import assert from 'node:assert/strict';

export type LoopState = 'created' | 'active' | 'stopping' | 'stopped';

export interface LoopOptions {
  /** Claims once; true when it is worth claiming again at once. */
  fetch(): Promise<boolean>;
  /** How long to sleep once nothing more can be claimed now. */
  idleWait(): Promise<number>;
  onError(err: unknown): void;
  /** The sleep after a failed fetch. */
  errorBackoffMs: number;
}

export class Loop {
  state: LoopState = 'created';
  private notified = false;
  private wakeSleeper: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly o: LoopOptions) {}

  start(): void {
    assert.notEqual(this.state, 'active', 'the loop is already running');
    assert.notEqual(this.state, 'stopping', 'the loop is still stopping');
    this.state = 'active';
    this.done = this.run();
  }

  /** Something changed: fetch again now rather than after the sleep. */
  notify(): void {
    this.notified = true;
    this.wakeSleeper?.();
  }

  /** Ends the loop after the fetch in progress, if any. */
  async stop(): Promise<void> {
    if (this.state !== 'active') return;
    this.state = 'stopping';
    this.notify();
    await this.done;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    while (this.state === 'active') {
      let wait: number;
      try {
        this.notified = false;
        if (await this.o.fetch()) continue;
        wait = await this.o.idleWait();
      } catch (err) {
        this.o.onError(err);
        wait = this.o.errorBackoffMs;
      }
      if (!this.notified && this.state === 'active') await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
