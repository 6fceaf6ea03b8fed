// One HTTP attempt: POST with a hard deadline, no redirects, a bounded read of the answer.
// A failure is a value (an outcome row), never an exception.
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { storable, withoutCredentials } from '../security/answer-scrub.js';
import type { TargetPolicy } from '../security/ssrf.js';
import { createSafeConnector } from '../security/ssrf-connector.js';

export interface Outcome {
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  responseBody: string | null;
  /** timeout | connection_refused | connection_reset | dns | tls | redirect | http_status | ssrf_blocked | invalid_response | network | credentials (ours: secrets that would not decrypt) */
  errorClass: string | null;
  errorMessage: string | null;
  success: boolean;
  retryAfter: string | undefined;
  /** The answer carried `webhook-disable: true`: the receiver asks us to stop, as with 410. */
  disableRequested?: boolean;
}

/** One attempt of a chain (Senders.chain): the request, and how late it may still start. */
export interface ChainItem {
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * From the chain's start: past this many ms it is not started (its lease could end
   * mid-attempt) and the chain ends there. The first item is always started.
   */
  startWithinMs: number;
}

/** An attempt of a chain is over: its index, its outcome, and when it started (ms after the chain). */
export type ChainReport = (index: number, outcome: Outcome, offsetMs: number) => void;

/**
 * Attempts one after another, each as soon as the one before succeeded, without a trip back
 * to the caller between them. It ends at the first outcome that is not a success, at an item
 * whose start window has passed, or when `halted()` says so; it returns how many items were
 * attempted (each of them reported, in order). The rest were not sent.
 */
export async function runChain(
  send: (url: string, headers: Record<string, string>, body: string) => Promise<Outcome>,
  items: readonly ChainItem[],
  halted: () => boolean,
  report: ChainReport,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    const offset = performance.now() - t0;
    const item = items[i]!;
    if (i > 0 && (halted() || offset > item.startWithinMs)) return i;
    const outcome = await send(item.url, item.headers, item.body);
    report(i, outcome, offset);
    if (!outcome.success) return i + 1;
  }
  return items.length;
}

export interface SenderOptions {
  timeoutMs: number;
  bodyLimit: number;
  policy: TargetPolicy;
  clock: Clock;
  /** Extra TLS options, e.g. a CA for tests; certificates are verified by default. */
  tls?: { ca?: string | Buffer };
}

const errorClasses: [RegExp, string][] = [
  [
    /^(UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|ABORT_ERR)$/,
    'timeout',
  ],
  [/^ECONNREFUSED$/, 'connection_refused'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/, 'connection_reset'],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, 'dns'],
  [/^ESSRF$/, 'ssrf_blocked'],
  [/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/, 'tls'],
  [/^HPE_|^UND_ERR_(INFO|RESPONSE|INVALID)/, 'invalid_response'],
];

function classify(err: unknown, timedOut: boolean): { errorClass: string; errorMessage: string } {
  if (timedOut)
    return { errorClass: 'timeout', errorMessage: 'no complete answer within the timeout' };
  let e = err as { code?: string; name?: string; message?: string; cause?: unknown } | undefined;
  // undici wraps socket errors; the useful code is often on the cause.
  for (let depth = 0; e && depth < 4; depth++) {
    // undici's HTTPParserError has no code when the answer is not HTTP at all.
    const code = e.code ?? (e.name === 'HTTPParserError' ? 'HPE_INVALID' : '');
    for (const [pattern, name] of errorClasses) {
      if (pattern.test(code))
        return {
          errorClass: name,
          errorMessage: storable(`${code}: ${e.message ?? ''}`.slice(0, 500)),
        };
    }
    e = e.cause as typeof e;
  }
  const first = err as { code?: string; message?: string };
  return {
    errorClass: 'network',
    errorMessage: storable(
      `${first?.code ?? 'error'}: ${first?.message ?? String(err)}`.slice(0, 500),
    ),
  };
}

/** The answer's headers the outcome needs; like undici's own parse, a repeated one is a list. */
type HeaderValue = string | string[] | undefined;
/** Only these names are decoded: a header of another length is skipped unread. */
const WANTED_LENGTHS = new Set(['retry-after', 'webhook-disable', 'location'].map((n) => n.length));
function add(prev: HeaderValue, value: string): HeaderValue {
  return prev === undefined ? value : typeof prev === 'string' ? [prev, value] : [...prev, value];
}

/**
 * One attempt in flight, as undici's dispatch handler: the answer's status and headers, and
 * its body up to the cap, straight from the parser. undici's `request()` wraps every attempt
 * in an AbortSignal, an async resource, a Readable body and its async iterator — a third of
 * a sender thread's CPU per attempt (docs/performance.md) for an answer we read 4 KiB of.
 */
class Attempt implements Dispatcher.DispatchHandler {
  /** The deadline list (Deadlines): all attempts of one sender share the timeout, so it is FIFO. */
  prev: Attempt | null = null;
  next: Attempt | null = null;
  timedOut = false;
  private abort: ((err?: Error) => void) | null = null;
  private statusCode = 0;
  private retryAfter: HeaderValue;
  private disable: HeaderValue;
  private location: HeaderValue;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** Read up to the cap: the rest is not wanted, and the connection is closed, not drained. */
  private full = false;
  private done = false;

  constructor(
    readonly deadline: number,
    private readonly bodyLimit: number,
    private readonly finish: (attempt: Attempt, answer: Answer | null, err: unknown) => void,
  ) {}

  /** The deadline passed: whatever came in time is the answer, or it timed out. */
  expire(): void {
    this.timedOut = true;
    // Not yet on a connection: it is cut when it gets one (onConnect), or the connect's own
    // timeout (the same length) fails it first.
    this.abort?.(new Error('deadline passed'));
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.timedOut) abort(new Error('deadline passed'));
    else this.abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    if (statusCode < 200) return true; // informational: the answer is still to come
    this.statusCode = statusCode;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (!WANTED_LENGTHS.has(name.length)) continue;
      const lower = name.toString('latin1').toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      if (lower === 'retry-after') this.retryAfter = add(this.retryAfter, value);
      else if (lower === 'webhook-disable') this.disable = add(this.disable, value);
      else if (lower === 'location') this.location = add(this.location, value);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const room = this.bodyLimit - this.size;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.size += Math.min(chunk.length, room);
    if (this.size < this.bodyLimit) return true;
    this.full = true;
    this.abort?.(new Error('body cap reached'));
    return false;
  }

  onComplete(): void {
    this.settle(this.answer(), null);
  }

  onError(err: Error): void {
    // The status line and headers came in time, so they are the answer, cut at the cap or
    // the deadline. A broken connection mid-body is an error; the deadline is not.
    if (this.statusCode !== 0 && (this.full || this.timedOut)) this.settle(this.answer(), null);
    else this.settle(null, err);
  }

  private answer(): Answer {
    return {
      statusCode: this.statusCode,
      text: Buffer.concat(this.chunks, this.size).toString('utf8'),
      retryAfter: this.retryAfter,
      disable: this.disable,
      location: this.location,
    };
  }

  private settle(answer: Answer | null, err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.finish(this, answer, err);
  }
}

interface Answer {
  statusCode: number;
  text: string;
  retryAfter: HeaderValue;
  disable: HeaderValue;
  location: HeaderValue;
}

/**
 * The attempts in flight in the order of their deadlines, behind one timer. Every attempt of
 * a sender has the same timeout, so the order they started in is the order they expire in:
 * a list (O(1) to add and to remove when answered) and a timer for its head, instead of a
 * timer armed and cleared per attempt.
 */
class Deadlines {
  private head: Attempt | null = null;
  private tail: Attempt | null = null;
  private timer: NodeJS.Timeout | null = null;

  add(a: Attempt): void {
    a.prev = this.tail;
    if (this.tail) this.tail.next = a;
    else this.head = a;
    this.tail = a;
    if (!this.timer) this.arm();
  }

  remove(a: Attempt): void {
    if (a.prev) a.prev.next = a.next;
    else if (this.head === a) this.head = a.next;
    else return; // not in the list (expired already)
    if (a.next) a.next.prev = a.prev;
    else this.tail = a.prev;
    a.prev = a.next = null;
    // The timer stays armed for the removed head's deadline; when it fires it moves on.
  }

  private arm(): void {
    const head = this.head;
    if (!head) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, head.deadline - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    while (this.head && this.head.deadline <= now) {
      const a = this.head;
      this.remove(a);
      a.expire();
    }
    this.arm();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export class Sender {
  /** In-process: the attempt runs on the caller's thread (Senders). */
  readonly threadCount = 0;
  private readonly agent: Agent;
  private readonly deadlines = new Deadlines();
  /** A webhook's URL split once into what dispatch takes (bounded: cleared when full). */
  private readonly split = new Map<string, { origin: string; path: string }>();
  /** halt() counts up: a chain started before the last halt starts nothing more. */
  private epoch = 0;

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connect: createSafeConnector(options.policy, {
        timeout: options.timeoutMs,
        ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
      }),
      keepAliveTimeout: 30_000,
      // Connections per origin are bounded by the dispatcher's per-webhook limit instead.
      connections: null,
      // Our own deadline (Deadlines) is the real limit; undici's coarse timers (±0.5 s) only back it up.
      headersTimeout: options.timeoutMs + 1_000,
      bodyTimeout: options.timeoutMs + 1_000,
    });
  }

  send(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
    const startedAt = this.options.clock.now();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const finish = (attempt: Attempt, answer: Answer | null, err: unknown) => {
        this.deadlines.remove(attempt);
        const durationMs = Math.round(performance.now() - t0);
        resolve(
          answer
            ? outcomeOf(answer, startedAt, durationMs, headers.authorization)
            : {
                startedAt,
                durationMs,
                statusCode: null,
                responseBody: null,
                ...classify(err, attempt.timedOut),
                success: false,
                retryAfter: undefined,
              },
        );
      };
      const attempt = new Attempt(t0 + this.options.timeoutMs, this.options.bodyLimit, finish);
      let target: { origin: string; path: string };
      try {
        target = this.target(url);
      } catch (err) {
        finish(attempt, null, err);
        return;
      }
      this.deadlines.add(attempt);
      // No redirect is followed: dispatch has no redirect handling unless one is composed in.
      this.agent.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers, body },
        attempt,
      );
    });
  }

  /** See runChain: the attempts of a chain run here, one after another. */
  chain(items: readonly ChainItem[], report: ChainReport): Promise<number> {
    const epoch = this.epoch;
    return runChain(
      (url, headers, body) => this.send(url, headers, body),
      items,
      () => this.epoch !== epoch,
      report,
    );
  }

  /** Chains running now start nothing more (those started later are not affected). */
  halt(): void {
    this.epoch++;
  }

  private target(url: string): { origin: string; path: string } {
    let t = this.split.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.split.size >= 10_000) this.split.clear();
      this.split.set(url, t);
    }
    return t;
  }

  close(): Promise<void> {
    this.deadlines.clear();
    return this.agent.close();
  }
}

function outcomeOf(
  answer: Answer,
  startedAt: number,
  durationMs: number,
  authorization: string | undefined,
): Outcome {
  const { statusCode, retryAfter, disable } = answer;
  const success = statusCode >= 200 && statusCode < 300;
  const redirect = statusCode >= 300 && statusCode < 400;
  return {
    startedAt,
    durationMs,
    statusCode,
    responseBody: withoutCredentials(storable(answer.text), authorization),
    errorClass: success ? null : redirect ? 'redirect' : 'http_status',
    errorMessage: success
      ? null
      : redirect
        ? // A Location may carry what the receiver echoed of our request: scrubbed too.
          storable(
            `redirect to ${withoutCredentials(
              String(answer.location ?? '?').slice(0, 200),
              authorization,
            )} not followed`,
          )
        : `HTTP ${statusCode}`,
    success,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    disableRequested: typeof disable === 'string' && disable.trim().toLowerCase() === 'true',
  };
}
