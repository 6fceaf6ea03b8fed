import { afterAll, beforeAll, expect, it } from 'vitest';
import { hotQuery } from '../../src/db/hot-query.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

describeEachDialect('hot queries', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    for (const [id, plan] of [
      ['hq-a', 'free'],
      ['hq-b', 'premium'],
      ['hq-c', 'premium'],
    ] as const) {
      await store.db
        .insertInto('facilities')
        .values({ id, name: id.toUpperCase(), plan, created_at: 1, updated_at: 2 })
        .execute();
    }
  });
  afterAll(() => store.drop());

  const byPlan = hotQuery((db, p: { plan: 'free' | 'premium'; after: string }) =>
    db
      .selectFrom('facilities')
      .select(['id', 'name'])
      .where('plan', '=', p.plan)
      .where('id', '>', p.after)
      // A constant Kysely makes a parameter: it stays as it was built.
      .where('created_at', '=', 1)
      .orderBy('id'),
  );

  it('answers like the Kysely query it was built from, with new parameters each time', async () => {
    expect(await byPlan.execute(store.db, { plan: 'premium', after: '' })).toEqual([
      { id: 'hq-b', name: 'HQ-B' },
      { id: 'hq-c', name: 'HQ-C' },
    ]);
    expect(await byPlan.execute(store.db, { plan: 'premium', after: 'hq-b' })).toEqual([
      { id: 'hq-c', name: 'HQ-C' },
    ]);
    expect(await byPlan.execute(store.db, { plan: 'free', after: '' })).toEqual([
      { id: 'hq-a', name: 'HQ-A' },
    ]);
  });

  it('runs inside the transaction it is given', async () => {
    const rename = hotQuery((db, p: { id: string; name: string }) =>
      db.updateTable('facilities').set({ name: p.name }).where('id', '=', p.id),
    );
    await expect(
      store.db.transaction().execute(async (trx) => {
        await rename.execute(trx, { id: 'hq-a', name: 'renamed' });
        const [seen] = await trx
          .selectFrom('facilities')
          .select('name')
          .where('id', '=', 'hq-a')
          .execute();
        expect(seen?.name).toBe('renamed');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = await store.db
      .selectFrom('facilities')
      .select('name')
      .where('id', '=', 'hq-a')
      .executeTakeFirst();
    expect(after?.name).toBe('HQ-A');
  });

  it('refuses an undefined parameter rather than leaving a column out', async () => {
    await expect(
      byPlan.execute(store.db, { plan: undefined as unknown as 'free', after: '' }),
    ).rejects.toThrow('parameter plan is undefined');
  });

  it('lets Kysely plugins see and rewrite the query, as a query built each time would', async () => {
    const seen: string[] = [];
    const withPlugin = store.db.withPlugin({
      transformQuery: ({ node }) => {
        seen.push(node.kind);
        return node;
      },
      transformResult: async ({ result }) => ({
        ...result,
        rows: result.rows.map((r) => ({ ...r, name: String(r.name).toLowerCase() })),
      }),
    });
    expect(await byPlan.execute(withPlugin, { plan: 'premium', after: 'hq-b' })).toEqual([
      { id: 'hq-c', name: 'hq-c' },
    ]);
    expect(seen).toEqual(['SelectQueryNode']);
  });

  it('refuses a builder that hands over the whole parameter object', async () => {
    const whole = hotQuery((db, p: { id: string; name: string; plan: 'free' }) =>
      db.insertInto('facilities').values({ ...p, created_at: 0, updated_at: 0 }),
    );
    await expect(whole.execute(store.db, { id: 'x', name: 'x', plan: 'free' })).rejects.toThrow(
      'pass each parameter by name',
    );
  });
});
