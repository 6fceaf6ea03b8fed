import pino, { type Logger } from 'pino';

// Secrets must never reach a log line (DESIGN.md "Security"). Request logging only prints
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
