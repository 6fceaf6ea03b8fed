// The CLI says what the API says about a failing webhook, retries now, follows only the last
// --limit attempts, and never answers from a database it made up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { runMain } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { cli, type Env, envFor, until } from './cli.js';

describeEachDialect('tablehooks health, retry and follow --limit', (dialect) => {
  let h: Harness;
  let env: Env;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let hook: string;

  beforeAll(async () => {
    // A retry an hour after a failure; a short poll: the CLI's changes reach this
    // dispatcher without a wake-up (no NOTIFY listener on SQLite).
    h = await createHarness(
      dialect,
      { retrySchedule: [3600, 3600], pollIntervalMs: 200 },
      { dispatcher: true },
    );
    env = envFor(h.store);
    receiver = await TestReceiver.start();
    receiver.setDefault({ status: 500, body: 'down' });
    fac = await createFacility(h);
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/webhooks`,
      key: fac.key,
      body: { url: receiver.url, username: 'u', password: 'p', events: ['booking_created'] },
    });
    hook = res.json.id;
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  async function book(): Promise<number> {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${fac.id}/bookings`,
      key: fac.key,
      body: { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' },
    });
    expect(res.status).toBe(201);
    return res.json.id;
  }

  const apiHealth = async () =>
    (await call(h, { method: 'GET', url: `/v1/facility/${fac.id}/webhooks/${hook}`, key: fac.key }))
      .json.health;

  it('shows a failing webhook in the API’s words, and exits 1 from `health`', async () => {
    await book();
    await book();
    await receiver.waitFor(2);
    await expect.poll(async () => (await apiHealth()).failed_attempts).toBe(2);
    const { summary } = await apiHealth();
    expect(summary).toMatch(/^Failing since .* \(2 attempts, last: HTTP 500\); next try at /);

    const list = await cli(['webhook', 'list', '--health', 'failing'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+FACILITY\s+STATE\s+EVENTS\s+URL\s+HEALTH/);
    expect(list.stdout).toContain(summary);
    const shown = await cli(['webhook', 'show', hook], env);
    expect(shown.stdout).toMatch(/health:\s+Failing since/);
    expect(shown.stdout).toMatch(/last error:\s+HTTP 500/);

    const health = await cli(['health'], env);
    expect(health.code).toBe(1);
    expect(health.stdout).toContain(`${hook}  ${fac.id}`);
    expect(health.stdout).toContain(summary);
    const json = await cli(['--json', 'health', '--facility', fac.id], env);
    expect(json.json).toEqual([
      { webhook_id: hook, facility_id: fac.id, url: receiver.url, health: await apiHealth() },
    ]);
  });

  it('retries one delivery, then every waiting one, now; a finished one is refused with exit 4', async () => {
    const waiting = (
      await call(h, {
        method: 'GET',
        url: `/v1/facility/${fac.id}/webhooks/${hook}/deliveries?status=pending`,
        key: fac.key,
      })
    ).json.objects;
    expect(waiting).toHaveLength(2);
    receiver.setDefault({ status: 200, body: 'ok' });
    const before = receiver.received.length;
    const one = await cli(['deliveries', 'retry', waiting[0].id], env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`${waiting[0].id} is due now`);
    await receiver.waitFor(before + 1);
    const all = await cli(['--json', 'webhook', 'retry', hook], env);
    expect(all.json).toEqual({ retried: 1 });
    await receiver.waitFor(before + 2);
    await expect.poll(async () => (await apiHealth()).state).toBe('healthy');
    expect((await cli(['health'], env)).code).toBe(0);
    await expect
      .poll(async () => (await cli(['deliveries', 'retry', waiting[0].id], env)).code)
      .toBe(4);
    const refused = await cli(['deliveries', 'retry', waiting[0].id], env);
    expect(refused.stderr).toMatch(/succeeded/);
  });

  it('follows with --limit 2: the last two attempts, then only new ones', async () => {
    const follow = runMain(
      ['deliveries', 'list', '--follow', '--json', '--limit', '2', '--interval', '200'],
      env,
    );
    try {
      await until(
        () => follow.stderr().includes('following new attempts'),
        () => follow.stderr(),
      );
      const lines = () =>
        follow
          .stdout()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      // Four attempts so far (two failures, two successes): only the last two are history.
      expect(lines()).toHaveLength(2);
      expect(lines().every((l) => l.success)).toBe(true);
      const id = await book();
      await until(
        () => lines().some((l) => l.resource_id === id),
        () => follow.stdout(),
      );
      expect(lines()).toHaveLength(3);
    } finally {
      follow.child.kill('SIGTERM');
    }
    expect(await follow.exited).toBe(0);
  });

  it('says which database it uses, and refuses to make one in another folder', async () => {
    const listed = await cli(['webhook', 'list'], env);
    expect(listed.stderr).toMatch(/^database: \S+/m);
    if (dialect !== 'sqlite') return;
    const elsewhere = await mkdtemp(join(tmpdir(), 'tablehooks-elsewhere-'));
    try {
      const { TABLEHOOKS_DATA_DIR: _, ...defaults } = env;
      for (const args of [['webhook', 'list'], ['health'], ['deliveries', 'list']]) {
        const run = await cli(args, defaults, 30_000, elsewhere);
        expect(run.code, run.stderr).toBe(5);
        expect(run.stderr).toContain(
          `no database at ${join(elsewhere, 'data', 'tablehooks.sqlite')}`,
        );
        expect(run.stderr).toContain('TABLEHOOKS_DATA_DIR');
      }
      // Nothing was made there.
      const made = await cli(['facility', 'list'], defaults, 30_000, elsewhere);
      expect(made.code).toBe(5);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
