// One HTTP attempt: POST with a hard deadline, no redirects, a bounded read of the answer.
// A failure is a value (an outcome row), never an exception.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
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

export class Sender {
  /** In-process: the attempt runs on the caller's thread (Senders). */
  readonly threadCount = 0;
  private readonly agent: Agent;

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connect: createSafeConnector(options.policy, {
        timeout: options.timeoutMs,
        ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
      }),
      keepAliveTimeout: 30_000,
      // Connections per origin are bounded by the dispatcher's per-webhook limit instead.
      connections: null,
      // Our own deadline (below) is the real limit; undici's coarse timers (±0.5 s) only back it up.
      headersTimeout: options.timeoutMs + 1_000,
      bodyTimeout: options.timeoutMs + 1_000,
    });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
    const startedAt = this.options.clock.now();
    const t0 = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const failed = (err: unknown): Outcome => ({
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      statusCode: null,
      responseBody: null,
      ...classify(err, timedOut),
      success: false,
      retryAfter: undefined,
    });
    try {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          method: 'POST',
          headers,
          body,
          dispatcher: this.agent,
          signal: controller.signal,
        });
      } catch (err) {
        return failed(err);
      }
      // The status line and headers came in time, so they are the answer. The body is only
      // kept for the log: it is read up to the size cap or the deadline, whichever comes
      // first, and a receiver still trickling it then is cut off, not failed (a 2xx that
      // came in time would otherwise be retried, and finally disabled, forever).
      const read = await this.readBounded(res.body, () => timedOut);
      if (read.error) return failed(read.error);
      if (read.text !== undefined) read.text = withoutCredentials(read.text, headers.authorization);
      const statusCode = res.statusCode;
      const success = statusCode >= 200 && statusCode < 300;
      const redirect = statusCode >= 300 && statusCode < 400;
      const retryAfter = res.headers['retry-after'];
      const disable = res.headers['webhook-disable'];
      return {
        startedAt,
        durationMs: Math.round(performance.now() - t0),
        statusCode,
        responseBody: read.text ?? null,
        errorClass: success ? null : redirect ? 'redirect' : 'http_status',
        errorMessage: success
          ? null
          : redirect
            ? // A Location may carry what the receiver echoed of our request: scrubbed too.
              storable(
                `redirect to ${withoutCredentials(
                  String(res.headers.location ?? '?').slice(0, 200),
                  headers.authorization,
                )} not followed`,
              )
            : `HTTP ${statusCode}`,
        success,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        disableRequested: typeof disable === 'string' && disable.trim().toLowerCase() === 'true',
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads at most bodyLimit bytes and stops at the deadline: a huge or never-ending answer
   * is cut, not waited for. A broken connection mid-body is an error; the deadline is not.
   */
  private async readBounded(
    stream: AsyncIterable<Buffer> & { destroy(): void },
    deadlinePassed: () => boolean,
  ): Promise<{ text: string; error?: undefined } | { text?: undefined; error: unknown }> {
    const limit = this.options.bodyLimit;
    const chunks: Buffer[] = [];
    let size = 0;
    let complete = false;
    try {
      for await (const chunk of stream) {
        const room = limit - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= limit) break;
      }
      complete = size < limit;
    } catch (err) {
      if (!deadlinePassed()) return { error: err };
    } finally {
      // Whatever is left unread is not wanted: close the connection rather than drain it.
      if (!complete) stream.destroy();
    }
    return { text: storable(Buffer.concat(chunks).toString('utf8')) };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
