import { afterEach, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.js';
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

  it('make emails unique per facility and keep every user and session', async () => {
    store = await createTestStore(dialect, { migrated: false });
    await migrateTo(store.db, store.profile, '2026-11-27T13-sessions');
    const db = store.db as any;
    for (const id of ['a', 'b']) {
      await db
        .insertInto('facilities')
        .values({ id, name: id, plan: 'premium', created_at: 1, updated_at: 1 })
        .execute();
    }
    const user = { facility_id: 'a', password_hash: 'h', role: 'owner', created_at: 1 };
    await db
      .insertInto('users')
      .values({ ...user, id: 'u1', email: 'x@example.com' })
      .execute();
    await db
      .insertInto('sessions')
      .values({
        token_hash: 't',
        user_id: 'u1',
        facility_id: 'a',
        created_at: 1,
        last_seen_at: 1,
        expires_at: 2,
      })
      .execute();
    await expect(
      db
        .insertInto('users')
        .values({ ...user, id: 'u2', email: 'x@example.com', facility_id: 'b' })
        .execute(),
    ).rejects.toThrow();

    await migrateToLatest(store.db, store.profile);
    expect(await db.selectFrom('users').select(['id', 'email']).execute()).toEqual([
      { id: 'u1', email: 'x@example.com' },
    ]);
    expect(await db.selectFrom('sessions').select('token_hash').execute()).toEqual([
      { token_hash: 't' },
    ]);
    await db
      .insertInto('users')
      .values({ ...user, id: 'u2', email: 'x@example.com', facility_id: 'b' })
      .execute();
    await expect(
      db
        .insertInto('users')
        .values({ ...user, id: 'u3', email: 'x@example.com' })
        .execute(),
    ).rejects.toThrow();
    // Foreign keys still hold: a facility's users and their sessions go with it.
    await db.deleteFrom('facilities').where('id', '=', 'a').execute();
    expect(await db.selectFrom('users').select('id').execute()).toEqual([{ id: 'u2' }]);
    expect(await db.selectFrom('sessions').select('token_hash').execute()).toEqual([]);
  });
});
