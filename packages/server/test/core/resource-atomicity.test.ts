// The outbox promise: no change without its event. With the events table gone, the event
// insert fails, and the change in the same transaction must be rolled back with it.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { RESOURCES } from '../support/resources.js';
import { describeEachDialect } from '../support/stores.js';

describe.each(RESOURCES)('$type', (r) => {
  describeEachDialect(`${r.type} changes and their events`, (dialect) => {
    let h: Harness;
    let f: TestFacility;
    let url: string;
    beforeEach(async () => {
      h = await createHarness(dialect);
      f = await createFacility(h);
      url = `/v1/facility/${f.id}/${r.path}`;
    });
    afterEach(() => h.close());

    const breakOutbox = () => sql`drop table events`.execute(h.store.db);
    const rows = () => h.store.db.selectFrom(r.table).selectAll().execute();

    it('creates nothing when its event cannot be written', async () => {
      await breakOutbox();
      const res = await call(h, { method: 'POST', url, key: f.key, body: r.body });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(await rows()).toEqual([]);
    });

    it('leaves it as it was when the event of an update, cancel or delete fails', async () => {
      const created = await call(h, { method: 'POST', url, key: f.key, body: r.body });
      const member = `${url}/${created.json.id}`;
      const before = await rows();
      await breakOutbox();
      h.clock.advance(60_000);
      const attempts = [
        { method: 'PATCH', body: r.change },
        { method: 'PATCH', body: { status: 'cancelled' } },
        { method: 'DELETE' },
      ] as const;
      for (const a of attempts) {
        const res = await call(h, { ...a, url: member, key: f.key });
        expect(res.status, a.method).toBe(500);
      }
      expect(await rows()).toEqual(before);
      const read = await call(h, { method: 'GET', url: member, key: f.key });
      expect(read.status).toBe(200);
      expect(read.json).toEqual(created.json);
    });
  });
});
