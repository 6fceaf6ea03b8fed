// the two lockers of resource_sequences rows disagree on their order whenever the
// database's collation is not C. The enqueue sorts webhook ids in JavaScript (code-point
// order: "wh_B…" < "wh_a…") and upserts them in that order; the completion locks them with
// `order by s.webhook_id` (the database collation: en_US / ICU puts "wh_a…" before "wh_B…").
// The test databases are C.UTF-8, so the suite never sees it; a managed PostgreSQL (RDS,
// Cloud SQL, Debian's initdb under en_US.UTF-8) is en_US by default. Ids are base64url, so
// about half of all webhook pairs of a facility sort differently.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { addWebhook, createFacility, facilityApi } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import type { TestStore } from '../support/stores.js';

const BOOKING = { num: 2, date: '2026-12-31T20:00:00+01:00', name: 'Guest' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(adminUrl: string, text: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function icuStore(adminUrl: string): Promise<TestStore> {
  const name = `tablehooks_icu_${randomBytes(4).toString('hex')}`;
  await admin(
    adminUrl,
    `create database ${name} template template0 locale_provider icu icu_locale 'en-US' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tablehooks-icu-'));
  const store = openStore({ databaseUrl: url.toString(), dataDir, poolSize: 8 });
  await migrateToLatest(store.db, store.profile);
  return {
    ...store,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      await store.close().catch(() => {});
      await admin(adminUrl, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const info = inject('postgres');

describe.skipIf('skipped' in info)('lock order under an en-US collation [postgres]', () => {
  let h: Harness | undefined;
  let store: TestStore | undefined;
  afterEach(async () => {
    await h?.close();
    await store?.drop();
  });

  it('an update of a booking and a batch of its outcomes for two webhooks', async () => {
    store = await icuStore((info as { adminUrl: string }).adminUrl);
    h = await createHarness('postgres', { leaseMs: 60_000 }, { store });
    const hh = h;
    const fac = await createFacility(hh);
    const api = facilityApi(hh, fac);
    // Two webhooks whose ids sort one way in JavaScript and the other way in the database.
    const ids: string[] = [];
    let pair: [string, string] | undefined;
    for (let i = 0; i < 15 && !pair; i++) {
      const hook = await addWebhook(api, {
        url: 'http://127.0.0.1:9/hook',
        events: ['booking_created', 'booking_updated'],
      });
      ids.push(hook.id);
      for (const a of ids)
        for (const b of ids) {
          if (a < b && !pair) {
            const rows = await sql<{
              id: string;
            }>`select id from webhooks where id in (${a}, ${b}) order by id`.execute(hh.store.db);
            if (rows.rows[0]!.id === b) pair = [a, b]; // JS: a first; database: b first
          }
        }
    }
    expect(pair).toBeDefined();
    const [jsFirst, dbFirst] = pair!;
    for (const id of ids)
      if (id !== jsFirst && id !== dbFirst) await api('DELETE', `/webhooks/${id}`);

    const booking = (await api('POST', '/bookings', BOOKING)).json.id as number;
    const now = hh.clock.now();
    const claimed = await hh.queue.claim({
      now,
      leaseUntil: now + 60_000,
      dispatcherId: 'dsp_x',
      limit: 10,
      perWebhook: 10,
      excludeWebhooks: [],
    });
    expect(claimed).toHaveLength(2);

    // Two short-lived holders of the two rows, so that the interleaving is the same each run.
    const holders: { release: () => void; done: Promise<void> }[] = [];
    for (const wid of [jsFirst, dbFirst]) {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const done = hh.store.db.transaction().execute(async (trx) => {
        await sql`select 1 from resource_sequences where webhook_id = ${wid} for update`.execute(
          trx,
        );
        await gate;
      });
      holders.push({ release, done });
    }
    await sleep(100);
    const completion = hh.queue
      .complete({
        leasedBy: 'dsp_x',
        now,
        attempts: [],
        updates: claimed.map((d) => ({
          id: d.id,
          status: 'succeeded' as const,
          tries: 1,
          attempt_count: 1,
          next_attempt_at: now,
          last_attempt_at: now,
          last_status_code: 200,
          last_error: null,
          succeeded_at: now,
        })),
        paused: [],
        finals: claimed.map((d) => ({
          webhookId: d.webhook_id,
          resourceType: d.resource_type,
          resourceId: d.resource_id,
        })),
        verdicts: [],
        judge: () => ({ failingSince: null, disable: undefined }),
      })
      .then(
        () => 'ok',
        (e: Error) => e.message,
      );
    await sleep(150);
    const update = api('PATCH', `/bookings/${booking}`, { num: 3 });
    await sleep(150);
    holders[1]!.release(); // the completion takes dbFirst, then waits for jsFirst
    await holders[1]!.done;
    await sleep(150);
    holders[0]!.release(); // the enqueue (first in line) takes jsFirst, then wants dbFirst
    await holders[0]!.done;
    const [u, c] = await Promise.all([update, completion]);
    if (u.status === 500)
      console.log(
        'PATCH booking 500:',
        hh.logs.filter((l) => /deadlock/.test(l)).map((l) => JSON.parse(l).err?.message),
      );
    expect({ update: u.status, completion: c }).toEqual({ update: 200, completion: 'ok' });
  }, 30_000);
});
