// lock-order cycles on PostgreSQL between the completion of a batch (resource_sequences
// rows, then deliveries rows, then the webhook's row) and other writers of the queue. Each
// test only widens a window that exists in production (a pg_sleep in a test-only trigger, or
// a row held for a moment by another transaction); the cycle itself is the code's own.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CompletionBatch } from '../../src/queue/sql/complete.js';
import type { Claimed } from '../../src/queue/types.js';
import {
  addWebhook,
  createFacility,
  type FacilityApi,
  facilityApi,
  type TestFacility,
} from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf('skipped' in inject('postgres'))('deadlocks [postgres]', () => {
  let h: Harness;
  let fac: TestFacility;
  let api: FacilityApi;
  let wid: string;

  beforeEach(async () => {
    h = await createHarness('postgres', { leaseMs: 60_000 });
    fac = await createFacility(h);
    api = facilityApi(h, fac);
    wid = (
      await addWebhook(api, {
        url: 'http://127.0.0.1:9/hook',
        events: ['booking_created', 'booking_updated'],
      })
    ).id;
  });
  afterEach(async () => {
    await h.close();
  });

  async function claimAll(dispatcherId = 'dsp_x', limit = 100): Promise<Claimed[]> {
    const now = h.clock.now();
    return h.queue.claim({
      now,
      leaseUntil: now + 60_000,
      dispatcherId,
      limit,
      perWebhook: 100,
      excludeWebhooks: [],
    });
  }

  /** What a dispatcher writes after one attempt of each claimed delivery. */
  function batch(
    claimed: Claimed[],
    status: 'succeeded' | 'pending',
    failingVerdict = false,
  ): CompletionBatch {
    const now = h.clock.now();
    return {
      leasedBy: 'dsp_x',
      now,
      attempts: claimed.map((d) => ({
        delivery_id: d.id,
        webhook_id: d.webhook_id,
        started_at: now,
        duration_ms: 1,
        status_code: status === 'succeeded' ? 200 : 500,
        response_body: null,
        error_class: status === 'succeeded' ? null : 'http_status',
        error_message: null,
        success: status === 'succeeded' ? 1 : 0,
        trigger: 'scheduled',
      })),
      updates: claimed.map((d) => ({
        id: d.id,
        status,
        tries: 1,
        attempt_count: 1,
        next_attempt_at: now + 60_000,
        last_attempt_at: now,
        last_status_code: status === 'succeeded' ? 200 : 500,
        last_error: null,
        succeeded_at: status === 'succeeded' ? now : null,
      })),
      paused: [],
      finals:
        status === 'pending'
          ? []
          : claimed.map((d) => ({
              webhookId: d.webhook_id,
              resourceType: d.resource_type,
              resourceId: d.resource_id,
            })),
      verdicts: failingVerdict
        ? [
            {
              webhookId: wid,
              succeeded: false,
              failedAt: now,
              gone: false,
              disableRequested: false,
            },
          ]
        : [],
      judge: (state, v) => ({
        failingSince: state.failingSince ?? v.failedAt ?? null,
        disable: undefined,
      }),
    };
  }

  async function settle<T>(p: Promise<T>) {
    return p.then(
      (value) => ({ ok: true as const, value }),
      (err: Error) => ({ ok: false as const, err: String(err?.message ?? err) }),
    );
  }

  it('deleting a webhook while a batch of its outcomes is written', async () => {
    await api('POST', '/bookings', BOOKING);
    const claimed = await claimAll();
    expect(claimed).toHaveLength(1);
    // Widens the window between the completion's lock on the resource's row and its writes.
    await sql
      .raw(`
      create function slow_down() returns trigger language plpgsql as
        $$ begin perform pg_sleep(0.5); return new; end $$;
      create trigger slow_down before insert on attempts
        for each row execute function slow_down();`)
      .execute(h.store.db);
    const completion = settle(h.queue.complete(batch(claimed, 'succeeded')));
    await sleep(150);
    const deleted = await api('DELETE', `/webhooks/${wid}`);
    const written = await completion;
    if (deleted.status === 500)
      console.log(
        'DELETE 500; log says:',
        h.logs.filter((l) => /deadlock/.test(l)).map((l) => JSON.parse(l).err?.message),
      );
    // Both should simply happen (the outcome of a deleted webhook's delivery is dropped).
    expect({ deleted: deleted.status, written }).toEqual({
      deleted: 204,
      written: { ok: true, value: expect.anything() },
    });
  }, 20_000);

  it('recovering failed deliveries while a batch of outcomes about the same bookings is written', async () => {
    const a = (await api('POST', '/bookings', BOOKING)).json.id as number;
    const b = (await api('POST', '/bookings', BOOKING)).json.id as number;
    expect(a).toBeLessThan(b);
    // Both created triggers went out; then b's update, then a's update failed for good.
    await h.queue.complete(batch(await claimAll(), 'succeeded'));
    const since = h.clock.now();
    h.clock.advance(10);
    await api('PATCH', `/bookings/${b}`, { num: 3 });
    h.clock.advance(10);
    await api('PATCH', `/bookings/${a}`, { num: 3 });
    await h.store.db
      .updateTable('deliveries')
      .set({ status: 'failed' })
      .where('status', '=', 'pending')
      .execute();
    const failedB = (
      await h.store.db
        .selectFrom('deliveries')
        .select('id')
        .where('status', '=', 'failed')
        .where('resource_id', '=', b)
        .executeTakeFirstOrThrow()
    ).id;
    // New news about both bookings is being sent right now.
    h.clock.advance(10);
    await api('PATCH', `/bookings/${a}`, { num: 4 });
    await api('PATCH', `/bookings/${b}`, { num: 4 });
    const inFlight = await claimAll();
    expect(inFlight).toHaveLength(2);
    // Another transaction touches b's failed delivery for a moment (as the claim or the
    // pruner may): the recover has locked b's row and waits on it.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const holder = h.store.db.transaction().execute(async (trx) => {
      await sql`select id from deliveries where id = ${failedB} for update`.execute(trx);
      await gate;
    });
    await sleep(50);
    // Recover walks the failed deliveries by created_at: b's row first, then a's.
    const recovered = settle(
      api('POST', `/webhooks/${wid}/recover`, { since: new Date(since).toISOString() }),
    );
    await sleep(150);
    // The batch locks a's row then b's (key order).
    const written = settle(h.queue.complete(batch(inFlight, 'succeeded')));
    await sleep(150);
    release();
    await holder;
    const [r, w] = await Promise.all([recovered, written]);
    expect({ recover: r.ok ? r.value.status : r.err, written: w }).toEqual({
      recover: 202,
      written: { ok: true, value: expect.anything() },
    });
  }, 20_000);

  it('disabling a webhook while a batch with its first failure is written', async () => {
    await api('POST', '/bookings', BOOKING);
    const claimed = await claimAll();
    // Widens the window between the completion's update of the delivery and its update of
    // the webhook (failing_since).
    await sql
      .raw(`
      create function slow_down() returns trigger language plpgsql as
        $$ begin if old.leased_by is not null and new.leased_by is null then
             perform pg_sleep(0.5); end if; return new; end $$;
      create trigger slow_down before update on deliveries
        for each row execute function slow_down();`)
      .execute(h.store.db);
    const written = settle(h.queue.complete(batch(claimed, 'pending', true)));
    await sleep(150);
    const disabled = await api('PATCH', `/webhooks/${wid}`, { enabled: false });
    const w = await written;
    if (disabled.status === 500)
      console.log(
        'PATCH 500; log says:',
        h.logs.filter((l) => /deadlock/.test(l)).map((l) => JSON.parse(l).err?.message),
      );
    expect({
      disable: disabled.status,
      body: disabled.status === 200 ? '' : disabled.body,
      written: w,
    }).toEqual({
      disable: 200,
      body: '',
      written: { ok: true, value: expect.anything() },
    });
  }, 20_000);

  it('two dispatchers write a 410 Gone from the same receiver at the same time', async () => {
    await api('POST', '/bookings', BOOKING);
    await api('POST', '/bookings', BOOKING);
    const [d1] = await claimAll('dsp_a', 1);
    const [d2] = await claimAll('dsp_b', 1);
    const gone = (d: Claimed, by: string): CompletionBatch => {
      const b = batch([d], 'succeeded');
      const now = b.now;
      return {
        ...b,
        leasedBy: by,
        attempts: b.attempts.map((a) => ({ ...a, status_code: 410, success: 0 })),
        updates: b.updates.map((u) => ({
          ...u,
          status: 'failed',
          last_status_code: 410,
          succeeded_at: null,
        })),
        verdicts: [
          { webhookId: wid, succeeded: false, failedAt: now, gone: true, disableRequested: false },
        ],
        judge: (state) => ({ failingSince: now, disable: state.enabled ? 'gone' : undefined }),
      };
    };
    // Something holds the webhook's row for a moment (a PATCH, a test trigger's lock): both
    // batches have written their deliveries and wait for it.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const holder = h.store.db.transaction().execute(async (trx) => {
      await sql`select id from webhooks where id = ${wid} for update`.execute(trx);
      await gate;
    });
    await sleep(50);
    const a = settle(h.queue.complete(gone(d1!, 'dsp_a')));
    await sleep(100);
    const b = settle(h.queue.complete(gone(d2!, 'dsp_b')));
    await sleep(100);
    release();
    await holder;
    expect(await Promise.all([a, b])).toEqual([
      { ok: true, value: expect.anything() },
      { ok: true, value: expect.anything() },
    ]);
  }, 20_000);
});
