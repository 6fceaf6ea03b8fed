// Where the dispatcher's attempts are sent from. One attempt is always the same (sender.ts:
// an undici POST with a hard deadline, no redirects, a bounded read, SSRF-safe connects);
// this decides which thread does it.
//
// - In-process (TABLEHOOKS_SENDER_THREADS=0): the attempt shares the event loop with the
//   claims, the outcomes and (role all) the API.
// - Sender threads (worker_threads): the HTTP work — undici, the sockets' writes and reads,
//   the answer's scrub — moves to other cores, while claims, limits, order and outcomes stay
//   in the dispatcher, which awaits each attempt as before. So the per-webhook and
//   per-facility limits and the per-resource order are exactly those of one dispatcher: a
//   thread never decides what is sent, only sends it.
import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock.js';
import { type Outcome, Sender, type SenderOptions } from './sender.js';

/** What the dispatcher needs: one attempt at a time, as many at once as it likes. */
export interface Senders {
  /** The threads attempts are sent from (0: the dispatcher's own). */
  readonly threadCount: number;
  send(url: string, headers: Record<string, string>, body: string): Promise<Outcome>;
  close(): Promise<void>;
}

export interface SendersOptions extends SenderOptions {
  /** 0: in-process. A custom `policy.lookup` (tests) can't cross to a thread: in-process only. */
  threads: number;
}

export function createSenders(options: SendersOptions): Senders {
  if (options.threads <= 0) return new Sender(options);
  if (options.policy.lookup) {
    throw new Error('sender threads use the system resolver: a custom lookup needs threads = 0');
  }
  return new ThreadSenders(options);
}

/** What a thread is started with (structured-cloneable). */
export interface WorkerSetup {
  timeoutMs: number;
  bodyLimit: number;
  allowedCidrs: string[];
  tls?: { ca?: string | Buffer };
}

/** One attempt to a thread: [id, url, headers, body]. */
export type WorkerRequest = [number, string, Record<string, string>, string];

interface Waiting {
  startedAt: number;
  resolve: (o: Outcome) => void;
  reject: (e: Error) => void;
}

interface Thread {
  worker: Worker;
  waiting: Map<number, Waiting>;
  outbox: WorkerRequest[];
}

/**
 * The thread's code is next to this file: .js when built. Run from source (the tests, under
 * tsx or vitest), it is .ts, and the thread loads it through tsx's loader (a worker does not
 * inherit the parent's, and `--import` in a worker's execArgv is not honoured on Node 20).
 */
function startWorker(workerData: WorkerSetup): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./sender-worker.js', import.meta.url), { workerData });
  }
  const entry = JSON.stringify(new URL('./sender-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${entry}, ${entry}));`, {
    eval: true,
    workerData,
  });
}

class ThreadSenders implements Senders {
  private readonly threads: Thread[] = [];
  get threadCount(): number {
    return this.threads.length;
  }
  private readonly clock: Clock;
  private readonly setup: WorkerSetup;
  private nextId = 1;
  private flushScheduled = false;
  private closed = false;

  constructor(options: SendersOptions) {
    this.clock = options.clock;
    this.setup = {
      timeoutMs: options.timeoutMs,
      bodyLimit: options.bodyLimit,
      allowedCidrs: [...options.policy.allowedCidrs],
      ...(options.tls ? { tls: options.tls } : {}),
    };
    for (let i = 0; i < options.threads; i++) this.threads.push(this.spawn());
  }

  private spawn(): Thread {
    const worker = startWorker(this.setup);
    const thread: Thread = { worker, waiting: new Map(), outbox: [] };
    worker.on('message', (batch: [number, Outcome][]) => {
      for (const [id, outcome] of batch) {
        const w = thread.waiting.get(id);
        if (!w) continue;
        thread.waiting.delete(id);
        outcome.startedAt = w.startedAt;
        w.resolve(outcome);
      }
    });
    // A thread that dies fails its attempts (the dispatcher leaves them to their lease: due
    // again, sent again) and is replaced, unless we are closing.
    const lost = (err: Error) => {
      for (const w of thread.waiting.values()) w.reject(err);
      thread.waiting.clear();
      const i = this.threads.indexOf(thread);
      if (i >= 0 && !this.closed) this.threads[i] = this.spawn();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (!this.closed) lost(new Error(`sender thread exited (${code})`));
    });
    // The dispatcher's timers and sockets keep the process alive, not an idle thread.
    worker.unref();
    return thread;
  }

  send(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
    if (this.closed) return Promise.reject(new Error('senders closed'));
    // The least busy thread: with one webhook the work still spreads over every thread.
    let thread = this.threads[0]!;
    for (const t of this.threads) {
      if (t.waiting.size + t.outbox.length < thread.waiting.size + thread.outbox.length) thread = t;
    }
    const id = this.nextId++;
    const startedAt = this.clock.now();
    thread.outbox.push([id, url, headers, body]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => {
      thread.waiting.set(id, { startedAt, resolve, reject });
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const t of this.threads) {
      if (t.outbox.length === 0) continue;
      const batch = t.outbox;
      t.outbox = [];
      t.worker.postMessage(batch);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await Promise.all(
      this.threads.map(
        (t) =>
          new Promise<void>((resolve) => {
            // The dispatcher has waited for its attempts; a thread that still doesn't end
            // (a socket that won't close) is stopped.
            const timer = setTimeout(() => void t.worker.terminate(), 5_000);
            t.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            t.worker.postMessage('close');
          }),
      ),
    );
  }
}
