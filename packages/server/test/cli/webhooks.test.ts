// webhook, deliveries and recover commands against a live store: the harness serves the API
// and runs a dispatcher in this process, the CLI runs as its own process beside it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeliveriesTable } from '../../src/db/schema.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { runMain } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { cli, type Env, envFor, until } from './cli.js';

const booking = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };

describeEachDialect('tablehooks webhook, deliveries and recover', (dialect) => {
  let h: Harness;
  let env: Env;
  let receiver: TestReceiver;
  let fish: TestFacility;
  let other: TestFacility;
  let hook: string;
  beforeAll(async () => {
    // No retries: a failed attempt is a failed delivery at once. A short poll: the CLI's
    // changes reach this dispatcher without a wake-up (there is no NOTIFY listener here).
    h = await createHarness(
      dialect,
      { retrySchedule: [], pollIntervalMs: 200 },
      { dispatcher: true },
    );
    env = envFor(h.store);
    receiver = await TestReceiver.start();
    fish = await createFacility(h);
    other = await createFacility(h);
    hook = await webhook(fish, ['booking_created']);
    await webhook(fish, ['productorder_created']);
    await webhook(other, ['booking_created']);
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  async function webhook(f: TestFacility, events: string[]): Promise<string> {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}/webhooks`,
      key: f.key,
      body: { url: receiver.url, username: 'u', password: 'p', events },
    });
    expect(res.status).toBe(201);
    return res.json.id;
  }

  async function book(f: TestFacility): Promise<number> {
    const res = await call(h, {
      method: 'POST',
      url: `/v1/facility/${f.id}/bookings`,
      key: f.key,
      body: booking,
    });
    expect(res.status).toBe(201);
    return res.json.id;
  }

  it('lists webhooks of every facility or one, shows one, disables and enables it', async () => {
    const all = await cli(['--json', 'webhook', 'list'], env);
    expect(all.code).toBe(0);
    expect(all.json).toHaveLength(3);
    const mine = await cli(['webhook', 'list', '--facility', fish.id], env);
    expect(mine.stdout.trim().split('\n')).toHaveLength(3);
    expect(mine.stdout).toMatch(/^ID\s+FACILITY\s+STATE\s+EVENTS\s+URL\s+HEALTH/);

    const disabled = await cli(['webhook', 'disable', hook], env);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain(`${hook} is disabled`);
    const listed = await cli(['--json', 'webhook', 'list', '--state', 'disabled'], env);
    expect(listed.json.map((w: any) => w.id)).toEqual([hook]);
    const enabled = await cli(['webhook', 'enable', hook], env);
    expect(enabled.stdout).toContain(`${hook} is enabled`);

    const shown = await cli(['webhook', 'show', hook], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/state:\s+enabled/);
    expect(shown.stdout).toMatch(
      /deliveries:\s+0 pending, 0 blocked, 0 paused, 0 succeeded, 0 failed, 0 superseded, 0 expired/,
    );
    expect(shown.stdout).toMatch(/ordering:\s+per_resource/);
    expect(shown.stdout).not.toContain('"p"');
    expect((await cli(['webhook', 'show', 'wh_nope'], env)).code).toBe(3);
  });

  it('shows and changes a webhook’s delivery guarantees, refusing a bad value with exit 2', async () => {
    const shown = await cli(['webhook', 'settings', hook], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/ordering:\s+per_resource/);
    expect(shown.stdout).toMatch(/coalesce updates:\s+on/);
    expect(shown.stdout).toMatch(/max age hours:\s+none/);
    const changed = await cli(
      [
        '--json',
        'webhook',
        'settings',
        hook,
        '--ordering',
        'none',
        '--coalesce-updates',
        'off',
        '--max-age-hours',
        '6',
      ],
      env,
    );
    expect(changed.code).toBe(0);
    expect(changed.json).toEqual({
      ordering: 'none',
      coalesce_updates: false,
      supersede_on_delete: true,
      max_age_hours: 6,
    });
    // The API sees what the CLI set.
    const viaApi = await call(h, {
      method: 'GET',
      url: `/v1/facility/${fish.id}/webhooks/${hook}`,
      key: fish.key,
    });
    expect(viaApi.json).toMatchObject({ ordering: 'none', coalesce_updates: false });
    const bad = await cli(['webhook', 'settings', hook, '--coalesce-updates', 'maybe'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--coalesce-updates');
    const back = await cli(
      [
        '--json',
        'webhook',
        'settings',
        hook,
        '--ordering',
        'per_resource',
        '--max-age-hours',
        'none',
      ],
      env,
    );
    expect(back.json).toMatchObject({ ordering: 'per_resource', max_age_hours: null });
  });

  it('lists failed deliveries and resends one, which then arrives with the same webhook-id', async () => {
    receiver.setDefault({ status: 500 });
    const id = await book(fish);
    await expect
      .poll(
        async () =>
          (
            await h.store.db
              .selectFrom('deliveries')
              .select('status')
              .where('resource_id', '=', id)
              .executeTakeFirst()
          )?.status,
        { timeout: 10_000, interval: 100 },
      )
      .toBe('failed');
    const failed = (await cli(['--json', 'deliveries', 'list', '--status', 'failed'], env)).json
      .objects;
    expect(failed).toEqual([
      expect.objectContaining({ webhook_id: hook, resource_id: id, status: 'failed' }),
    ]);
    const table = await cli(['deliveries', 'list', '--webhook', hook], env);
    expect(table.stdout).toMatch(
      /^ID\s+WEBHOOK\s+EVENT\s+RESOURCE\s+STATUS\s+TRIES\s+LAST\s+CREATED/,
    );
    expect(table.stdout).toMatch(
      new RegExp(`${failed[0].id}\\s+${hook}\\s+booking_created\\s+${id}\\s+failed\\s+1\\s+500`),
    );

    receiver.setDefault({ status: 200 });
    const before = receiver.received.length;
    const resent = await cli(['deliveries', 'resend', failed[0].id], env);
    expect(resent.code).toBe(0);
    await receiver.waitFor(before + 1);
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(failed[0].id);
    expect((await cli(['deliveries', 'resend', 'msg_nope'], env)).code).toBe(3);
  });

  it('follows new attempts as JSON lines until SIGTERM', async () => {
    const follow = runMain(
      ['deliveries', 'list', '--follow', '--json', '--interval', '200', '--webhook', hook],
      env,
    );
    try {
      await until(
        () => follow.stderr().includes('following new attempts'),
        () => follow.stderr(),
      );
      const ids = [await book(fish), await book(fish)];
      const lines = () =>
        follow
          .stdout()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      await until(
        () => ids.every((id) => lines().some((l) => l.resource_id === id)),
        () => follow.stdout(),
      );
      const line = lines().find((l) => l.resource_id === ids[0]);
      expect(line).toMatchObject({
        webhook_id: hook,
        event: 'booking_created',
        status_code: 200,
        success: true,
      });
      expect(new Set(lines().map((l) => l.attempt_id)).size).toBe(lines().length);
    } finally {
      follow.child.kill('SIGTERM');
    }
    expect(await follow.exited).toBe(0);
  });

  it('recovers thousands of failed deliveries in batches, with progress, and skips disabled webhooks', async () => {
    await h.dispatcher!.stop();
    const now = h.clock.now();
    const rows = (n: number, createdAt: number, webhookId = hook): DeliveriesTable[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `msg_rec_${createdAt}_${webhookId}_${i}`,
        webhook_id: webhookId,
        facility_id: fish.id,
        event_id: null,
        resource_type: 'booking',
        resource_id: 10_000 + i,
        event: 'booking_created',
        status: 'failed',
        tries: 9,
        attempt_count: 9,
        next_attempt_at: createdAt,
        leased_by: null,
        is_test: 0,
        created_at: createdAt + i,
        last_attempt_at: createdAt + i,
        last_status_code: 500,
        last_error: 'http_status',
        succeeded_at: null,
        sequence: 1,
        event_count: 1,
        last_event_at: createdAt + i,
        superseded_by: null,
      }));
    const insert = async (all: DeliveriesTable[]) => {
      for (let i = 0; i < all.length; i += 500) {
        await h.store.db
          .insertInto('deliveries')
          .values(all.slice(i, i + 500))
          .execute();
      }
    };
    await insert(rows(2_500, now - 3_600_000));
    await insert(rows(10, now - 5 * 3_600_000)); // outside the window: stays failed

    const run = await cli(
      ['--json', 'recover', '--since', '2h', '--webhook', hook, '--batch-size', '1000'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ recovered: 2_500 });
    expect(run.stderr).toContain('recover: 1,000/2,500 (40%)');
    expect(run.stderr).toContain('recover: 2,500/2,500 (100%)');
    const counts = await cli(['--json', 'webhook', 'show', hook], env);
    expect(counts.json.deliveries).toMatchObject({ pending: 2_500, failed: 10 });

    // Every webhook: the disabled one is named and skipped; asked for alone, it is refused.
    await h.store.db
      .updateTable('deliveries')
      .set({ status: 'failed' })
      .where('id', 'like', 'msg_rec_%')
      .execute();
    expect((await cli(['webhook', 'disable', hook], env)).code).toBe(0);
    const all = await cli(['recover', '--since', '2h'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      new RegExp(`${hook}\\s+${fish.id}\\s+2500\\s+0\\s+the webhook is disabled`),
    );
    const refused = await cli(['recover', '--since', '2h', '--webhook', hook], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('the webhook is disabled');
  });
});
