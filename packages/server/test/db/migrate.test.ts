import { afterEach, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

describeEachDialect('migrations', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  it('create the schema on an empty database and are a no-op the second time', async () => {
    store = await createTestStore(dialect, { migrated: false });
    const first = await migrateToLatest(store.db, store.profile);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.applied).toEqual([...first.applied].sort());
    const second = await migrateToLatest(store.db, store.profile);
    expect(second.applied).toEqual([]);

    await store.db.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
    const row = await store.db.selectFrom('settings').selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({ key: 'k', value: 'v' });
  });
});
