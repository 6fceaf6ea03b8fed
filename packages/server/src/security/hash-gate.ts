// A bound on password hashing. scrypt at OWASP's cost takes 128 MiB and one libuv thread-pool
// thread for 0.1–3 s. The pool has four threads by default and DNS lookups, file reads and
// zlib share it: 60 concurrent log-ins once held it for ~80 s, so that static files waited
// and a delivery's DNS lookup timed out behind them. At most MAX_PARALLEL hashes run at once,
// which leaves the pool room for everything else; a short queue waits behind them, and the
// rest are refused at once with a 503 and Retry-After, never parked for minutes.
import { AppError } from '../errors.js';

export const MAX_PARALLEL_HASHES = 2;
export const MAX_WAITING_HASHES = 16;

export class HashingBusy extends AppError {
  constructor() {
    super(
      'unavailable',
      'too many log-ins are being checked right now; try again in a moment',
      undefined,
      { retryAfterSeconds: 2 },
    );
  }
}

export class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxParallel = MAX_PARALLEL_HASHES,
    private readonly maxWaiting = MAX_WAITING_HASHES,
  ) {}

  /** Runs `work` when a slot is free; throws HashingBusy at once when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxParallel) {
      if (this.waiting.length >= this.maxWaiting) throw new HashingBusy();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` never drops in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Hashes running and waiting, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

/** One per process: the thread pool it protects is one per process too. */
export const passwordHashing = new HashGate();
