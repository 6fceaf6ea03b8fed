// The queue's batched SQL on each store: one claim, one batch of outcomes, and the lazy
// commits around them, which must never leave the connection lazy for an API write.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { webhookHealth } from '../../src/dispatcher/webhook-health.js';
import { type ClaimOptions, claim as claimDeliveries } from '../../src/queue/sql/claim.js';
import { complete as completeDeliveries } from '../../src/queue/sql/complete.js';
import { lazily } from '../../src/queue/sql/lazy-commit.js';
import { nextDueAt } from '../../src/queue/sql/next-due.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

const NOW = 1_800_000_000_000;

describeEachDialect('batched queue SQL', (dialect) => {
  let store: TestStore;

  beforeEach(async () => {
    store = await createTestStore(dialect);
    await store.db
      .insertInto('facilities')
      .values({ id: 'f', name: 'F', plan: 'premium', created_at: NOW, updated_at: NOW })
      .execute();
    for (const id of ['w1', 'w2']) {
      await store.db
        .insertInto('webhooks')
        .values({
          id,
          facility_id: 'f',
          url: 'http://127.0.0.1:9/',
          username: 'u',
          password_enc: 'x',
          signing_secret_enc: null,
          events: 'booking_created',
          enabled: 1,
          disabled_reason: null,
          disabled_at: null,
          description: '',
          ordering: 'per_resource',
          coalesce_updates: 1,
          supersede_on_delete: 1,
          max_age_hours: null,
          failing_since: id === 'w1' ? NOW - 1_000 : null,
          created_at: NOW,
          updated_at: NOW,
        })
        .execute();
    }
    for (let i = 0; i < 12; i++) {
      await store.db
        .insertInto('deliveries')
        .values({
          id: `d${String(i).padStart(2, '0')}`,
          webhook_id: i < 10 ? 'w1' : 'w2',
          facility_id: 'f',
          event_id: null,
          resource_type: 'booking',
          resource_id: i,
          event: 'booking_created',
          status: 'pending',
          tries: 0,
          attempt_count: 0,
          next_attempt_at: NOW - 100 + i,
          leased_by: null,
          is_test: 0,
          created_at: NOW,
          last_attempt_at: null,
          last_status_code: null,
          last_error: null,
          succeeded_at: null,
          sequence: 1,
          event_count: 1,
          last_event_at: NOW,
          superseded_by: null,
        })
        .execute();
    }
  });
  afterEach(() => store.drop());

  const claim = (o: Partial<ClaimOptions> = {}) =>
    claimDeliveries(store.db, store.profile, {
      now: NOW,
      leaseUntil: NOW + 60_000,
      dispatcherId: 'me',
      limit: 200,
      perWebhook: 8,
      excludeWebhooks: [],
      ...o,
    });

  it('claims at most the per-webhook limit of each webhook, and leases what it claims', async () => {
    const claimed = await claim();
    expect(claimed.filter((d) => d.webhook_id === 'w1')).toHaveLength(8);
    expect(claimed.filter((d) => d.webhook_id === 'w2')).toHaveLength(2);
    // The earliest due is now a leftover of w1; the leased ones are due at the lease's end.
    expect(await nextDueAt(store.db)).toBe(NOW - 100 + 8);
    expect(await nextDueAt(store.db, NOW)).toBe(NOW + 60_000);
  });

  it('claims only the smaller limit of a webhook it is told to limit', async () => {
    const claimed = await claim({ limitedWebhooks: ['w1'], limitedTo: 3 });
    const w1 = claimed.filter((d) => d.webhook_id === 'w1').map((d) => d.id);
    // The earliest due of its ten.
    expect(w1.sort()).toEqual(['d00', 'd01', 'd02']);
    expect(claimed.filter((d) => d.webhook_id === 'w2')).toHaveLength(2);
  });

  it('comes back empty when only excluded webhooks have due work', async () => {
    await claim();
    expect(await claim({ excludeWebhooks: ['w1'] })).toEqual([]);
    expect(await claim({ excludeWebhooks: ['w1', 'w2'] })).toEqual([]);
  });

  it('hands back what it does not send at the place it had, ahead of work that fell due during the lease', async () => {
    const first = await claim({ limit: 2 });
    // Each comes with the time it was due before the lease replaced it.
    expect(first.map((d) => [d.id, d.due_at])).toEqual([
      ['d00', NOW - 100],
      ['d01', NOW - 99],
    ]);
    // While they were leased a retry fell due, and another dispatcher leased d02.
    await store.db
      .updateTable('deliveries')
      .set({ next_attempt_at: NOW + 500, attempt_count: 1, tries: 1 })
      .where('id', '=', 'd05')
      .execute();
    await store.db
      .updateTable('deliveries')
      .set({ leased_by: 'someone-else', next_attempt_at: NOW + 60_000 })
      .where('id', '=', 'd02')
      .execute();
    // Both handed back (the receiver started failing): d01 by the batch, d02 by mistake.
    const later = NOW + 30_000;
    await completeDeliveries(
      store.db,
      {
        leasedBy: 'me',
        now: later,
        attempts: [],
        updates: [],
        paused: [],
        released: [
          { id: 'd01', dueAt: NOW - 99 },
          { id: 'd02', dueAt: NOW - 98 },
        ],
        finals: [],
        verdicts: [],
        judge: (state, v) => webhookHealth(state, v, { now: later, autoDisableAfterMs: 3_600_000 }),
      },
      store.profile,
    );
    const rows = await store.db
      .selectFrom('deliveries')
      .select(['id', 'next_attempt_at', 'leased_by'])
      .where('id', 'in', ['d01', 'd02'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'd01', next_attempt_at: NOW - 99, leased_by: null },
      // Not ours: left as the other dispatcher leased it.
      { id: 'd02', next_attempt_at: NOW + 60_000, leased_by: 'someone-else' },
    ]);
    // The next claim takes it first, before everything that fell due while it was leased.
    const next = await claim({ now: later, leaseUntil: later + 60_000, limit: 3 });
    expect(next.map((d) => [d.id, d.due_at])).toEqual([
      ['d01', NOW - 99],
      ['d03', NOW - 97],
      ['d04', NOW - 96],
    ]);
  });

  it('records a batch: attempts of deleted deliveries are left out, and only our leases are updated', async () => {
    const claimed = await claim();
    const mine = claimed.slice(0, 3).map((d) => d.id);
    // One was deleted meanwhile (its webhook went away), one was taken over by another dispatcher.
    await store.db.deleteFrom('deliveries').where('id', '=', mine[1]!).execute();
    await store.db
      .updateTable('deliveries')
      .set({ leased_by: 'someone-else' })
      .where('id', '=', mine[2]!)
      .execute();
    // It was failing: the batch's successes end the streak.
    await store.db
      .updateTable('webhooks')
      .set({ failing_since: NOW - 60_000 })
      .where('id', '=', 'w1')
      .execute();
    await completeDeliveries(
      store.db,
      {
        leasedBy: 'me',
        now: NOW,
        attempts: mine.map((id) => ({
          delivery_id: id,
          webhook_id: 'w1',
          started_at: NOW,
          duration_ms: 3,
          status_code: 200,
          response_body: "o'k",
          error_class: null,
          error_message: null,
          success: 1,
          trigger: 'scheduled' as const,
        })),
        updates: mine.map((id) => ({
          id,
          status: 'succeeded' as const,
          tries: 1,
          attempt_count: 1,
          next_attempt_at: NOW,
          last_attempt_at: NOW,
          last_status_code: 200,
          last_error: null,
          succeeded_at: NOW,
        })),
        paused: [],
        finals: [],
        verdicts: [
          {
            webhookId: 'w1',
            succeeded: true,
            failedAt: undefined,
            gone: false,
            disableRequested: false,
          },
        ],
        judge: (state, v) => webhookHealth(state, v, { now: NOW, autoDisableAfterMs: 3_600_000 }),
      },
      store.profile,
    );
    const rows = await store.db
      .selectFrom('deliveries')
      .select(['id', 'status', 'leased_by', 'tries', 'last_status_code', 'succeeded_at'])
      .where('id', 'in', mine)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      {
        id: mine[0],
        status: 'succeeded',
        leased_by: null,
        tries: 1,
        last_status_code: 200,
        succeeded_at: NOW,
      },
      {
        id: mine[2],
        status: 'pending',
        leased_by: 'someone-else',
        tries: 0,
        last_status_code: null,
        succeeded_at: null,
      },
    ]);
    const attempts = await store.db
      .selectFrom('attempts')
      .select(['delivery_id', 'response_body', 'success'])
      .orderBy('delivery_id')
      .execute();
    expect(attempts).toEqual([
      { delivery_id: mine[0], response_body: "o'k", success: 1 },
      { delivery_id: mine[2], response_body: "o'k", success: 1 },
    ]);
    const webhook = await store.db
      .selectFrom('webhooks')
      .select('failing_since')
      .where('id', '=', 'w1')
      .executeTakeFirstOrThrow();
    expect(webhook.failing_since).toBeNull();
  });

  it('leaves the connection durable after a lazy commit, even when the work fails', async () => {
    // PostgreSQL: the connection's setting. SQLite: whether the next write waits for an fsync.
    let writes = 0;
    const durable = async () => {
      if (dialect === 'postgres') {
        const { rows } = await sql<{
          synchronous_commit: string;
        }>`show synchronous_commit`.execute(store.db);
        return rows[0]?.synchronous_commit === 'on';
      }
      const synced = store.commitStats!().commits;
      await store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('settings')
          .values({ key: `durable-${++writes}`, value: 'v' })
          .execute();
      });
      return store.commitStats!().commits === synced + 1;
    };
    await lazily(store.db, store.profile, async (trx) => {
      await trx
        .updateTable('webhooks')
        .set({ updated_at: NOW + 1 })
        .execute();
    });
    expect(await durable()).toBe(true);
    await expect(
      lazily(store.db, store.profile, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await durable()).toBe(true);
    // The lazy write itself was committed.
    const row = await store.db
      .selectFrom('webhooks')
      .select('updated_at')
      .where('id', '=', 'w2')
      .executeTakeFirstOrThrow();
    expect(row.updated_at).toBe(NOW + 1);
  });
});
