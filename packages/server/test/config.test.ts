import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configTable,
  defaultSenderThreads,
  defaults,
  loadConfig,
  SETTINGS,
} from '../src/config.js';

const key = Buffer.alloc(32, 1).toString('base64');

describe('configuration', () => {
  it('starts with the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      dataDir: './data',
      databaseUrl: undefined,
      role: 'all',
      deliveryTimeoutMs: 10_000,
      retrySchedule: defaults.retrySchedule,
    });
    // About two days of retries in all.
    const total = config.retrySchedule.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(40 * 3600);
    expect(total).toBeLessThan(60 * 3600);
  });

  it('reads overrides from the environment', () => {
    const config = loadConfig({
      TABLEHOOKS_HOST: '0.0.0.0',
      TABLEHOOKS_PORT: '8080',
      TABLEHOOKS_ROLE: 'dispatcher',
      TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32, ::1/128',
      TABLEHOOKS_RETRY_SCHEDULE: '1,2,3',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      TABLEHOOKS_SECRET_KEY: key,
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      role: 'dispatcher',
      allowedTargets: ['127.0.0.1/32', '::1/128'],
      retrySchedule: [1, 2, 3],
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    });
  });

  it.each([
    ['TABLEHOOKS_PORT', 'abc'],
    ['TABLEHOOKS_PORT', '70000'],
    ['TABLEHOOKS_PORT', '-1'],
    ['TABLEHOOKS_ROLE', 'worker'],
    ['TABLEHOOKS_ALLOWED_TARGETS', '10.0.0.0/33'],
    ['TABLEHOOKS_ALLOWED_TARGETS', 'localhost'],
    ['TABLEHOOKS_RETRY_SCHEDULE', '5,1m'],
    ['TABLEHOOKS_DELIVERY_TIMEOUT_MS', '10s'],
    ['TABLEHOOKS_CONCURRENCY', '0'],
    ['TABLEHOOKS_SENDER_THREADS', '-1'],
    ['TABLEHOOKS_SENDER_THREADS', '65'],
    ['TABLEHOOKS_LOG_LEVEL', 'loud'],
    ['TABLEHOOKS_SECRET_KEY', 'too-short'],
    ['TABLEHOOKS_OPERATOR_KEY', 'short'],
    ['DATABASE_URL', 'mysql://root@localhost/test'],
    ['DATABASE_URL', 'not a url'],
    ['TABLEHOOKS_TRUST_PROXY', 'yes please'],
    ['TABLEHOOKS_TRUST_PROXY', '11'],
    ['TABLEHOOKS_TRUST_PROXY', '10.0.0.0/40'],
    ['TABLEHOOKS_METRICS_TOKEN', 'short'],
    ['TABLEHOOKS_METRICS_TOKEN', 'has a space in the middle'],
  ])('refuses %s=%s with a message that names it', (name, value) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${name}: `));
  });

  it('sends from one thread per core beyond the first, unless told how many', () => {
    expect([1, 2, 8].map((cores) => defaultSenderThreads(cores))).toEqual([0, 1, 7]);
    expect(loadConfig({ TABLEHOOKS_SENDER_THREADS: '0' }).senderThreads).toBe(0);
    expect(loadConfig({ TABLEHOOKS_SENDER_THREADS: '3' }).senderThreads).toBe(3);
  });

  it('trusts no proxy and serves metrics to this machine only unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: false, metricsToken: undefined });
    const trust = (value: string) => loadConfig({ TABLEHOOKS_TRUST_PROXY: value }).trustProxy;
    expect(trust('off')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    // One reverse proxy in front: only the address it appended counts.
    expect(trust('on')).toBe(1);
    expect(trust('TRUE')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('127.0.0.1, 10.0.0.0/8')).toEqual(['127.0.0.1', '10.0.0.0/8']);
    const token = 'a'.repeat(32);
    expect(loadConfig({ TABLEHOOKS_METRICS_TOKEN: token }).metricsToken).toBe(token);
  });

  it('requires a shared secret key when the store is PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1/test' })).toThrow(
      /^TABLEHOOKS_SECRET_KEY: required with DATABASE_URL/,
    );
  });

  it('refuses a lease no longer than the delivery timeout', () => {
    expect(() =>
      loadConfig({ TABLEHOOKS_DELIVERY_TIMEOUT_MS: '20000', TABLEHOOKS_LEASE_MS: '15000' }),
    ).toThrow(/^TABLEHOOKS_LEASE_MS: /);
  });

  it("documents every setting in README's table, exactly as config.ts describes it", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    // Regenerate with `npm run docs:config -w @tablehooks/server` after changing SETTINGS.
    expect(readme).toContain(configTable());
    for (const s of SETTINGS) expect(configTable()).toContain(`\`${s.env}\``);
  });

  it('reads every setting of the table from its variable', () => {
    const read = loadConfig({
      TABLEHOOKS_SESSION_TTL_MINUTES: '30',
      TABLEHOOKS_RETENTION_DAYS: '7',
      TABLEHOOKS_AUTO_DISABLE_HOURS: '2',
    });
    expect(read).toMatchObject({
      sessionTtlMs: 30 * 60_000,
      retentionDays: 7,
      autoDisableAfterMs: 2 * 3_600_000,
    });
    expect(loadConfig({})).toEqual(defaults);
  });
});
