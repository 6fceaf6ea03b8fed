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
//
// Either way, the dispatcher may hand over a chain of a webhook's attempts for one of its
// slots (Sender.chain): the next starts as soon as the one before succeeded, in the thread
// that sent it, instead of after a trip through the dispatcher's event loop — which, busy
// with the API and the writes, made each of a webhook's slots wait a turn per attempt.
import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock.js';
import {
  type ChainItem,
  type ChainReport,
  type Outcome,
  Sender,
  type SenderOptions,
} from './sender.js';

/** What the dispatcher needs: one attempt at a time, as many at once as it likes. */
export interface Senders {
  /** The threads attempts are sent from (0: the dispatcher's own). */
  readonly threadCount: number;
  send(url: string, headers: Record<string, string>, body: string): Promise<Outcome>;
  /**
   * Attempts one after another (runChain in sender.ts): each reported as it ends; resolves
   * with how many were attempted. Rejects if the thread running it dies.
   */
  chain(items: readonly ChainItem[], report: ChainReport): Promise<number>;
  /** Chains running now start nothing more; what they had left comes back as not attempted. */
  halt(): void;
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

/** One chain to a thread: [id, items]; a single attempt is a chain of one. */
export type WorkerRequest = [number, ChainItem[]];
/**
 * From a thread: [id, index, outcome, offsetMs] when an attempt ends; [id, attempted] when
 * the chain does.
 */
export type WorkerReply = [number, number, Outcome, number] | [number, number];

interface Waiting {
  startedAt: number;
  report: ChainReport;
  resolve: (attempted: number) => void;
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
    worker.on('message', (batch: WorkerReply[]) => {
      for (const reply of batch) {
        const w = thread.waiting.get(reply[0]);
        if (!w) continue;
        if (reply.length === 2) {
          thread.waiting.delete(reply[0]);
          w.resolve(reply[1]);
          continue;
        }
        const [, index, outcome, offsetMs] = reply;
        // The start on the dispatcher's (injected) clock: its own at the chain's start, plus
        // how long into the chain the thread started this attempt.
        outcome.startedAt = w.startedAt + Math.round(offsetMs);
        w.report(index, outcome, offsetMs);
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

  async send(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
    let outcome: Outcome | undefined;
    await this.chain([{ url, headers, body, startWithinMs: 0 }], (_i, o) => {
      outcome = o;
    });
    return outcome!;
  }

  chain(items: readonly ChainItem[], report: ChainReport): Promise<number> {
    if (this.closed) return Promise.reject(new Error('senders closed'));
    // The least busy thread: with one webhook the work still spreads over every thread.
    let thread = this.threads[0]!;
    for (const t of this.threads) {
      if (t.waiting.size + t.outbox.length < thread.waiting.size + thread.outbox.length) thread = t;
    }
    const id = this.nextId++;
    const startedAt = this.clock.now();
    thread.outbox.push([id, items as ChainItem[]]);
    this.scheduleFlush();
    return new Promise((resolve, reject) => {
      thread.waiting.set(id, { startedAt, report, resolve, reject });
    });
  }

  halt(): void {
    // After what is already waiting to go: a message's order is kept, so the chains sent
    // before this halt are the ones it stops.
    this.flush();
    for (const t of this.threads) t.worker.postMessage('halt');
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
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
