// The only reader of the environment. Every setting has its default here, in one object,
// and every override is parsed and validated before anything starts: a bad value stops
// start-up with a message that names the variable.
import { BlockList, isIP } from 'node:net';

export type Role = 'all' | 'api' | 'dispatcher';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** undefined: embedded SQLite in dataDir; otherwise a postgres:// URL. */
  databaseUrl: string | undefined;
  /** base64 or hex 32-byte key; undefined on SQLite means "generate into dataDir". */
  secretKey: string | undefined;
  operatorKey: string | undefined;
  role: Role;
  /** CIDRs exempt from the SSRF block (e.g. 127.0.0.1/32 for local tests). */
  allowedTargets: string[];
  /** Delay before each retry, in seconds; its length is the number of retries. */
  retrySchedule: number[];
  deliveryTimeoutMs: number;
  globalConcurrency: number;
  perWebhookConcurrency: number;
  /** A webhook failing without a single success for this long is disabled. */
  autoDisableAfterMs: number;
  /** Safety-net poll; real time comes from wake-ups on commit / NOTIFY. */
  pollIntervalMs: number;
  /** How long a claimed delivery stays invisible to other dispatchers. */
  leaseMs: number;
  maxWebhooksPerFacility: number;
  responseBodyLimit: number;
  dbPoolSize: number;
  /** UI login sessions end after this long without use. */
  sessionTtlMs: number;
  /** Attempts and finished deliveries older than this are pruned; pending work never is. */
  retentionDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** auto: readable lines (pino-pretty) when stdout is a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'pretty' | 'json';
  /**
   * Who may set the client address through X-Forwarded-For: false (nobody, the socket's
   * peer is the client), a number of proxy hops in front of us, or the proxies' addresses.
   */
  trustProxy: false | number | string[];
  /** When set, /metrics needs `Authorization: Bearer <token>`; unset, it answers this machine only. */
  metricsToken: string | undefined;
  /**
   * Where receivers reach this API, for the Link header of every trigger (no trailing slash);
   * undefined: the address it is served on.
   */
  publicUrl: string | undefined;
}

export const defaults: Config = {
  host: '127.0.0.1',
  port: 3000,
  dataDir: './data',
  databaseUrl: undefined,
  secretKey: undefined,
  operatorKey: undefined,
  role: 'all',
  allowedTargets: [],
  // About two days in all: 5s, 1m, 5m, 30m, 2h, 6h, 12h, 24h.
  retrySchedule: [5, 60, 300, 1800, 7200, 21600, 43200, 86400],
  deliveryTimeoutMs: 10_000,
  globalConcurrency: 256,
  perWebhookConcurrency: 8,
  autoDisableAfterMs: 5 * 24 * 3600 * 1000,
  pollIntervalMs: 5_000,
  // Longer than the delivery timeout plus claim batch slack, so a live dispatcher never
  // loses a delivery it is still working on.
  leaseMs: 60_000,
  maxWebhooksPerFacility: 20,
  responseBodyLimit: 4096,
  dbPoolSize: 10,
  sessionTtlMs: 12 * 3600 * 1000,
  retentionDays: 30,
  logLevel: 'info',
  // A person at a terminal reads lines; a log collector (stdout piped or a file) gets JSON.
  logFormat: 'auto',
  // Off: behind no proxy, a client could otherwise pick its own address (and so its own
  // rate-limit bucket) by sending X-Forwarded-For.
  trustProxy: false,
  metricsToken: undefined,
  publicUrl: undefined,
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(name, `expected a value between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function cidrs(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new ConfigError(name, `"${entry}" is not a CIDR such as 127.0.0.1/32`);
    }
    // Also proves node:net accepts it, since the SSRF guard builds a BlockList from it.
    new BlockList().addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function schedule(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new ConfigError(
      name,
      `expected comma-separated seconds such as "5,60,300", got "${raw}"`,
    );
  }
  return parts.map(Number);
}

function trustProxy(env: Env): Config['trustProxy'] {
  const name = 'TABLEHOOKS_TRUST_PROXY';
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'off' || raw === 'false' || raw === '0') {
    return false;
  }
  // One proxy in front (nginx, Caddy, a load balancer): the address it appended, the last
  // in X-Forwarded-For, is the client; whatever the client itself put before it is ignored.
  if (raw === 'on' || raw === 'true') return 1;
  if (/^\d+$/.test(raw)) return int(env, name, 1, 1, 10);
  try {
    return cidrs(env, name);
  } catch {
    throw new ConfigError(
      name,
      `expected off, on, a number of proxy hops, or the proxies' addresses (CIDRs), got "${env[name]}"`,
    );
  }
}

function metricsToken(env: Env): string | undefined {
  const raw = env.TABLEHOOKS_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  // A bearer token travels in a header: printable ASCII without spaces, and long enough
  // that nobody guesses it (openssl rand -hex 32).
  if (!/^[\x21-\x7e]{16,512}$/.test(raw)) {
    throw new ConfigError(
      'TABLEHOOKS_METRICS_TOKEN',
      'expected 16 to 512 printable characters without spaces (openssl rand -hex 32)',
    );
  }
  return raw;
}

function publicUrl(env: Env): string | undefined {
  const name = 'TABLEHOOKS_PUBLIC_URL';
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL; expected e.g. https://tablehooks.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `expected http:// or https://, got "${url.protocol}"`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, 'expected a base URL without credentials, query or fragment');
  }
  return url.toString().replace(/\/+$/, '');
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'not a URL; expected postgres://user@host:port/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `unsupported scheme "${url.protocol}"; use postgres://`);
  }
  return raw;
}

function secretKey(env: Env): string | undefined {
  const raw = env.TABLEHOOKS_SECRET_KEY;
  if (raw === undefined || raw === '') return undefined;
  if (decodeKey(raw) === undefined) {
    throw new ConfigError(
      'TABLEHOOKS_SECRET_KEY',
      'expected 32 random bytes as 64 hex characters or base64 (openssl rand -base64 32)',
    );
  }
  return raw;
}

/** A 32-byte key from hex or base64; undefined when it is neither. */
export function decodeKey(raw: string): Buffer | undefined {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const buf = Buffer.from(text, 'base64');
  return buf.length === 32 ? buf : undefined;
}

export function loadConfig(env: Env = process.env): Config {
  const dbUrl = databaseUrl(env);
  const key = secretKey(env);
  if (dbUrl && !key) {
    throw new ConfigError(
      'TABLEHOOKS_SECRET_KEY',
      'required with DATABASE_URL, so every process encrypts with the same key',
    );
  }
  const operatorKey = env.TABLEHOOKS_OPERATOR_KEY || undefined;
  if (operatorKey !== undefined && operatorKey.length < 24) {
    throw new ConfigError('TABLEHOOKS_OPERATOR_KEY', 'must be at least 24 characters');
  }
  const host = env.TABLEHOOKS_HOST?.trim() || defaults.host;
  const hours = int(
    env,
    'TABLEHOOKS_AUTO_DISABLE_HOURS',
    defaults.autoDisableAfterMs / 3_600_000,
    1,
    24 * 365,
  );
  const config: Config = {
    host,
    port: int(env, 'TABLEHOOKS_PORT', defaults.port, 0, 65535),
    dataDir: env.TABLEHOOKS_DATA_DIR?.trim() || defaults.dataDir,
    databaseUrl: dbUrl,
    secretKey: key,
    operatorKey,
    role: oneOf(env, 'TABLEHOOKS_ROLE', defaults.role, ['all', 'api', 'dispatcher'] as const),
    allowedTargets: cidrs(env, 'TABLEHOOKS_ALLOWED_TARGETS'),
    retrySchedule: schedule(env, 'TABLEHOOKS_RETRY_SCHEDULE', defaults.retrySchedule),
    deliveryTimeoutMs: int(
      env,
      'TABLEHOOKS_DELIVERY_TIMEOUT_MS',
      defaults.deliveryTimeoutMs,
      100,
      120_000,
    ),
    globalConcurrency: int(env, 'TABLEHOOKS_CONCURRENCY', defaults.globalConcurrency, 1, 10_000),
    perWebhookConcurrency: int(
      env,
      'TABLEHOOKS_WEBHOOK_CONCURRENCY',
      defaults.perWebhookConcurrency,
      1,
      1_000,
    ),
    autoDisableAfterMs: hours * 3_600_000,
    pollIntervalMs: int(env, 'TABLEHOOKS_POLL_INTERVAL_MS', defaults.pollIntervalMs, 10, 3_600_000),
    leaseMs: int(env, 'TABLEHOOKS_LEASE_MS', defaults.leaseMs, 1_000, 3_600_000),
    maxWebhooksPerFacility: int(
      env,
      'TABLEHOOKS_MAX_WEBHOOKS',
      defaults.maxWebhooksPerFacility,
      1,
      10_000,
    ),
    responseBodyLimit: defaults.responseBodyLimit,
    dbPoolSize: int(env, 'TABLEHOOKS_DB_POOL_SIZE', defaults.dbPoolSize, 1, 500),
    sessionTtlMs:
      int(env, 'TABLEHOOKS_SESSION_TTL_MINUTES', defaults.sessionTtlMs / 60_000, 1, 60 * 24 * 30) *
      60_000,
    retentionDays: int(env, 'TABLEHOOKS_RETENTION_DAYS', defaults.retentionDays, 1, 3650),
    publicUrl: publicUrl(env),
    logLevel: oneOf(env, 'TABLEHOOKS_LOG_LEVEL', defaults.logLevel, [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    logFormat: oneOf(env, 'TABLEHOOKS_LOG_FORMAT', defaults.logFormat, [
      'auto',
      'pretty',
      'json',
    ] as const),
    trustProxy: trustProxy(env),
    metricsToken: metricsToken(env),
  };
  if (config.leaseMs <= config.deliveryTimeoutMs) {
    throw new ConfigError(
      'TABLEHOOKS_LEASE_MS',
      'must be longer than TABLEHOOKS_DELIVERY_TIMEOUT_MS',
    );
  }
  return config;
}
