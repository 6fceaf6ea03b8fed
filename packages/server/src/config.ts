// The only reader of the environment. Every setting is one row of SETTINGS (variable,
// default, how it is read, what README says of it), and every override is parsed and
// validated before anything starts: a bad value stops start-up with a message that names
// the variable.
import { BlockList, isIP } from 'node:net';
import { availableParallelism } from 'node:os';

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
  /**
   * Threads that send the dispatcher's attempts (0: its own thread does); claims, limits and
   * order stay in the dispatcher. Default: the cores available, less one for the dispatcher.
   */
  senderThreads: number;
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

/**
 * The default for TABLEHOOKS_SENDER_THREADS: one thread per core beyond the first, which the
 * dispatcher's own thread (and, on one machine, the database) needs. Measured on 2 cores:
 * one sender thread drains faster than none, two slower than one (docs/performance.md).
 */
export function defaultSenderThreads(cores = availableParallelism()): number {
  return Math.max(0, cores - 1);
}

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

function trustProxy(env: Env, name: string): Config['trustProxy'] {
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

function metricsToken(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  // A bearer token travels in a header: printable ASCII without spaces, and long enough
  // that nobody guesses it (openssl rand -hex 32).
  if (!/^[\x21-\x7e]{16,512}$/.test(raw)) {
    throw new ConfigError(
      name,
      'expected 16 to 512 printable characters without spaces (openssl rand -hex 32)',
    );
  }
  return raw;
}

function publicUrl(env: Env, name: string): string | undefined {
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

function databaseUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a URL; expected postgres://user@host:port/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `unsupported scheme "${url.protocol}"; use postgres://`);
  }
  return raw;
}

function secretKey(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (decodeKey(raw) === undefined) {
    throw new ConfigError(
      name,
      'expected 32 random bytes as 64 hex characters or base64 (openssl rand -base64 32)',
    );
  }
  return raw;
}

function operatorKey(env: Env, name: string): string | undefined {
  const raw = env[name] || undefined;
  if (raw !== undefined && raw.length < 24) {
    throw new ConfigError(name, 'must be at least 24 characters');
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

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * One setting: its field in Config, its variable, its default, how the variable is read,
 * and the line README's configuration table shows (generated from these rows by
 * `npm run docs:config`; test/config.test.ts fails when README differs).
 */
interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  default: Config[K];
  /** The default as README shows it, when the value itself would not say it. */
  shown?: string;
  doc: string;
  parse(env: Env, name: string, fallback: Config[K]): Config[K];
}

const row = <K extends keyof Config>(setting: Setting<K>) => setting;
const text = (env: Env, name: string, fallback: string) => env[name]?.trim() || fallback;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Every setting read from the environment, in README's order. */
export const SETTINGS = [
  row({
    key: 'host',
    env: 'TABLEHOOKS_HOST',
    default: '127.0.0.1',
    doc: 'address to listen on',
    parse: text,
  }),
  row({
    key: 'port',
    env: 'TABLEHOOKS_PORT',
    default: 3000,
    doc: 'port (0 picks a free one)',
    parse: (env, name, fallback) => int(env, name, fallback, 0, 65535),
  }),
  row({
    key: 'dataDir',
    env: 'TABLEHOOKS_DATA_DIR',
    default: './data',
    doc: 'SQLite file and generated secret key',
    parse: text,
  }),
  row({
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    default: undefined,
    doc:
      'unset: embedded SQLite; `postgres://user@host:5432/db`: PostgreSQL; on the same machine, ' +
      'its Unix socket: `postgres:///db?host=/var/run/postgresql&user=tablehooks`',
    parse: databaseUrl,
  }),
  row({
    key: 'secretKey',
    env: 'TABLEHOOKS_SECRET_KEY',
    default: undefined,
    shown: 'generated into the data folder on SQLite',
    doc:
      '32 bytes, base64 or hex (`openssl rand -base64 32`); encrypts webhook passwords; ' +
      '**required** with PostgreSQL so every process shares it',
    parse: secretKey,
  }),
  row({
    key: 'operatorKey',
    env: 'TABLEHOOKS_OPERATOR_KEY',
    default: undefined,
    shown: 'generated and printed once on first start',
    doc: "the platform operator's API key (24+ characters)",
    parse: operatorKey,
  }),
  row({
    key: 'role',
    env: 'TABLEHOOKS_ROLE',
    default: 'all',
    doc: '`all`, `api` (HTTP only) or `dispatcher` (delivery only)',
    parse: (env, name, fallback) => oneOf(env, name, fallback, ['all', 'api', 'dispatcher']),
  }),
  row({
    key: 'allowedTargets',
    env: 'TABLEHOOKS_ALLOWED_TARGETS',
    default: [],
    shown: 'empty',
    doc: 'comma-separated CIDRs exempt from the SSRF block, e.g. `127.0.0.1/32`',
    parse: (env, name) => cidrs(env, name),
  }),
  row({
    key: 'retrySchedule',
    env: 'TABLEHOOKS_RETRY_SCHEDULE',
    // About two days in all: 5s, 1m, 5m, 30m, 2h, 6h, 12h, 24h.
    default: [5, 60, 300, 1800, 7200, 21600, 43200, 86400],
    doc: 'seconds before each retry (about two days)',
    parse: schedule,
  }),
  row({
    key: 'deliveryTimeoutMs',
    env: 'TABLEHOOKS_DELIVERY_TIMEOUT_MS',
    default: 10_000,
    doc: "a delivery attempt's hard timeout",
    parse: (env, name, fallback) => int(env, name, fallback, 100, 120_000),
  }),
  row({
    key: 'globalConcurrency',
    env: 'TABLEHOOKS_CONCURRENCY',
    default: 256,
    doc: 'deliveries in flight per dispatcher process (a quarter kept for facilities with nothing in flight)',
    parse: (env, name, fallback) => int(env, name, fallback, 1, 10_000),
  }),
  row({
    key: 'perWebhookConcurrency',
    env: 'TABLEHOOKS_WEBHOOK_CONCURRENCY',
    default: 8,
    doc: 'deliveries in flight per webhook, all dispatcher processes together',
    parse: (env, name, fallback) => int(env, name, fallback, 1, 1_000),
  }),
  row({
    key: 'senderThreads',
    env: 'TABLEHOOKS_SENDER_THREADS',
    default: defaultSenderThreads(),
    shown: 'cores available − 1',
    doc:
      "threads that send a dispatcher's attempts (0: its own thread); limits, order and the log " +
      'stay with the dispatcher',
    parse: (env, name, fallback) => int(env, name, fallback, 0, 64),
  }),
  row({
    key: 'autoDisableAfterMs',
    env: 'TABLEHOOKS_AUTO_DISABLE_HOURS',
    default: 120 * HOUR_MS,
    shown: '`120`',
    doc: 'a webhook failing this long without one success is disabled',
    parse: (env, name, fallback) => int(env, name, fallback / HOUR_MS, 1, 24 * 365) * HOUR_MS,
  }),
  row({
    key: 'pollIntervalMs',
    env: 'TABLEHOOKS_POLL_INTERVAL_MS',
    default: 5_000,
    doc: "the dispatcher's safety-net poll (wake-ups are immediate)",
    parse: (env, name, fallback) => int(env, name, fallback, 10, 3_600_000),
  }),
  row({
    key: 'leaseMs',
    env: 'TABLEHOOKS_LEASE_MS',
    // Longer than the delivery timeout plus claim batch slack, so a live dispatcher never
    // loses a delivery it is still working on.
    default: 60_000,
    doc: 'how long a claimed delivery is reserved for its dispatcher',
    parse: (env, name, fallback) => int(env, name, fallback, 1_000, 3_600_000),
  }),
  row({
    key: 'maxWebhooksPerFacility',
    env: 'TABLEHOOKS_MAX_WEBHOOKS',
    default: 20,
    doc: 'webhooks per facility',
    parse: (env, name, fallback) => int(env, name, fallback, 1, 10_000),
  }),
  row({
    key: 'dbPoolSize',
    env: 'TABLEHOOKS_DB_POOL_SIZE',
    default: 10,
    doc: 'PostgreSQL connections per process',
    parse: (env, name, fallback) => int(env, name, fallback, 1, 500),
  }),
  row({
    key: 'sessionTtlMs',
    env: 'TABLEHOOKS_SESSION_TTL_MINUTES',
    default: 12 * 60 * MINUTE_MS,
    shown: '`720`',
    doc: 'a settings-UI login ends after this many minutes without use',
    parse: (env, name, fallback) =>
      int(env, name, fallback / MINUTE_MS, 1, 60 * 24 * 30) * MINUTE_MS,
  }),
  row({
    key: 'retentionDays',
    env: 'TABLEHOOKS_RETENTION_DAYS',
    default: 30,
    doc: 'attempts and finished deliveries older than this many days are pruned; pending work never is',
    parse: (env, name, fallback) => int(env, name, fallback, 1, 3650),
  }),
  row({
    key: 'logLevel',
    env: 'TABLEHOOKS_LOG_LEVEL',
    default: 'info',
    doc: '`fatal` … `trace`, or `silent`',
    parse: (env, name, fallback) => oneOf(env, name, fallback, LOG_LEVELS),
  }),
  row({
    key: 'logFormat',
    env: 'TABLEHOOKS_LOG_FORMAT',
    // A person at a terminal reads lines; a log collector (stdout piped or a file) gets JSON.
    default: 'auto',
    doc: '`auto`: readable lines (pino-pretty) on a terminal, JSON otherwise; or `json`, `pretty`',
    parse: (env, name, fallback) => oneOf(env, name, fallback, ['auto', 'pretty', 'json']),
  }),
  row({
    key: 'trustProxy',
    env: 'TABLEHOOKS_TRUST_PROXY',
    // Off: behind no proxy, a client could otherwise pick its own address (and so its own
    // rate-limit bucket) by sending X-Forwarded-For.
    default: false,
    shown: '`off`',
    doc:
      "behind a reverse proxy: `on` (one hop), a number of hops, or the proxies' CIDRs; the " +
      'client address then comes from `X-Forwarded-For`',
    parse: trustProxy,
  }),
  row({
    key: 'metricsToken',
    env: 'TABLEHOOKS_METRICS_TOKEN',
    default: undefined,
    doc:
      '`/metrics` needs `Authorization: Bearer <token>`; unset, it answers only scrapers on ' +
      'this machine (loopback, not through a proxy)',
    parse: metricsToken,
  }),
  row({
    key: 'publicUrl',
    env: 'TABLEHOOKS_PUBLIC_URL',
    default: undefined,
    shown: 'the address it listens on',
    doc: "where receivers reach the API, e.g. `https://tablehooks.example.com`: the base of every trigger's `link` header",
    parse: publicUrl,
  }),
];

/** Not read from the environment. */
const FIXED = {
  responseBodyLimit: 4096,
};

export const defaults = {
  ...FIXED,
  ...Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])),
} as Config;

function shownDefault(s: (typeof SETTINGS)[number]): string {
  if (s.shown !== undefined) return s.shown;
  if (s.default === undefined) return 'unset';
  return `\`${Array.isArray(s.default) ? s.default.join(',') : String(s.default)}\``;
}

/** README's configuration table, as Markdown, generated from SETTINGS. */
export function configTable(): string {
  const rows = [
    ['variable', 'default', 'meaning'],
    ...SETTINGS.map((s) => [`\`${s.env}\``, shownDefault(s), s.doc]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)]
    .join('\n')
    .concat('\n');
}

export function loadConfig(env: Env = process.env): Config {
  const config = { ...FIXED } as Record<string, unknown>;
  for (const s of SETTINGS) {
    config[s.key] = (s.parse as (env: Env, name: string, fallback: unknown) => unknown)(
      env,
      s.env,
      s.default,
    );
  }
  const loaded = config as unknown as Config;
  if (loaded.databaseUrl && !loaded.secretKey) {
    throw new ConfigError(
      'TABLEHOOKS_SECRET_KEY',
      'required with DATABASE_URL, so every process encrypts with the same key',
    );
  }
  if (loaded.leaseMs <= loaded.deliveryTimeoutMs) {
    throw new ConfigError(
      'TABLEHOOKS_LEASE_MS',
      'must be longer than TABLEHOOKS_DELIVERY_TIMEOUT_MS',
    );
  }
  return loaded;
}
