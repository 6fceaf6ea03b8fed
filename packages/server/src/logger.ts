import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

// Secrets must never reach a log line (docs/design.md, "Security"). Request logging only prints
// method and URL, but anything that logs an object with these keys is censored too.
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'secret', 'apiKey', 'key', 'token', 'signing_secret'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
    `*.*.*.${k}`,
  ]),
  'headers.authorization',
];

/**
 * A URL as it may be logged: the query string goes, whole. Clients do send keys there
 * (`?api_key=…`, even the operator key); they are refused, but a log line must not keep them,
 * and a query's names can be secrets as much as its values.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}

// Fastify's own request serializer, but with loggableUrl; a logger's serializers take
// precedence over Fastify's defaults.
const serializers = {
  req: (req: { method?: string; url?: string; host?: string; ip?: string }) => ({
    method: req.method,
    url: typeof req.url === 'string' ? loggableUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
  }),
  // Node's parse errors carry the raw bytes of the request (rawPacket, a Buffer; Fastify logs
  // them at debug). Walking a Buffer, the wildcard redaction threw an uncaught TypeError: a
  // malformed request crashed the process at log level debug or trace. Bytes are left out.
  err: (err: Error) => {
    const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(out ?? {})) {
      if (value instanceof Uint8Array) delete out[key];
    }
    return out;
  },
};

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, serializers, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination,
  );
}

/**
 * The server's log on stdout, and a way to print text (the start-up banner) in order with it:
 * pino's JSON destination writes asynchronously, so text written beside it straight to stdout
 * can come out before log lines logged earlier.
 */
export function stdoutLog(format: 'auto' | 'pretty' | 'json'): {
  stream: pino.DestinationStream;
  print(text: string): void;
} {
  if (wantsPretty(format, Boolean(process.stdout.isTTY))) {
    // pino-pretty writes synchronously: stdout is already in order.
    return { stream: prettyStream(), print: (text) => process.stdout.write(text) };
  }
  const stream = pino.destination({ dest: 1, minLength: 0, sync: false });
  return { stream, print: (text) => stream.write(text) };
}

/** pino-pretty or JSON: TABLEHOOKS_LOG_FORMAT, where auto means pretty on a terminal. */
export function wantsPretty(format: 'auto' | 'pretty' | 'json', isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

/**
 * One readable line per entry for a person at a terminal: time, level, message, and the
 * request's method, path, status and time. Same redaction as JSON (pino applies it first).
 * In the main thread, synchronously: a transport's worker would print after the banner.
 */
export function prettyStream(): pino.DestinationStream {
  return pretty({
    colorize: true,
    sync: true,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname,reqId,req,res,responseTime',
    messageFormat: (log, messageKey) => {
      const req = log.req as { method?: string; url?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      const message = String(log[messageKey] ?? '');
      if (!req?.url) return message;
      const took =
        typeof log.responseTime === 'number' ? ` ${Math.round(log.responseTime)} ms` : '';
      return `${req.method} ${req.url}${res?.statusCode ? ` ${res.statusCode}` : ''}${took}`;
    },
  });
}

export type { Logger };

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = Parameters<Logger['info']>;

/**
 * Fastify gives every request a child logger that carries its id. Making one costs more
 * than the rest of the logging (pino runs the redaction over its bindings too), and at the
 * usual level of a busy service (warn) most requests never log. So the child is made on the
 * first call at a level that is enabled; every line it writes is the same as before.
 */
export class LazyChildLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly own: pino.Bindings,
  ) {}

  #real(): Logger {
    this.#child ??= this.parent.child(this.own);
    return this.#child;
  }

  #log(level: Level, args: LogArgs): void {
    if ((this.#child ?? this.parent).isLevelEnabled(level)) this.#real()[level](...args);
  }

  get level(): string {
    return (this.#child ?? this.parent).level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }
  fatal(...args: LogArgs): void {
    this.#log('fatal', args);
  }
  error(...args: LogArgs): void {
    this.#log('error', args);
  }
  warn(...args: LogArgs): void {
    this.#log('warn', args);
  }
  info(...args: LogArgs): void {
    this.#log('info', args);
  }
  debug(...args: LogArgs): void {
    this.#log('debug', args);
  }
  trace(...args: LogArgs): void {
    this.#log('trace', args);
  }
  silent(): void {}
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.#real().child(bindings, options);
  }
  bindings(): pino.Bindings {
    return this.#real().bindings();
  }
}

/** Fastify's childLoggerFactory: lazy unless the route asks for its own level or serializers. */
export function requestLogger(
  parent: Logger,
  bindings: pino.Bindings,
  options: pino.ChildLoggerOptions,
): Logger {
  if (Object.keys(options).length > 0) return parent.child(bindings, options);
  return new LazyChildLogger(parent, bindings) as unknown as Logger;
}

/** Probes answer many times a minute; their lines would bury everything else at info. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

const probe = (request: { url?: string }) =>
  PROBES.has((request.url ?? '').split('?')[0]!.replace(/\/$/, ''));

/**
 * Fastify's request lines, one per request instead of two: "request completed" at info with
 * the method, path, status and time; "incoming request" only at debug. Health checks and
 * scrapes log at debug only.
 */
export class RequestLogLines extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (probe(request)) reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}
