// A dispatcher's own PostgreSQL pool commits lazily for its whole session (its claims and
// outcomes need not wait for the disk: a crash only makes a delivery go out again), while
// every other pool, the API's, stays durable: a 2xx means on disk.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, type Store } from '../../src/db/dialect.js';
import { createTestStore, type TestStore } from '../support/stores.js';

describe.skipIf('skipped' in inject('postgres'))('a lazy pool [postgres]', () => {
  let test: TestStore;
  let lazy: Store;
  let durable: Store;
  beforeAll(async () => {
    test = await createTestStore('postgres');
    const at = { databaseUrl: test.databaseUrl, dataDir: test.dataDir, poolSize: 2 };
    lazy = openStore({ ...at, lazyCommit: true });
    durable = openStore(at);
  });
  afterAll(async () => {
    await lazy.close();
    await durable.close();
    await test.drop();
  });

  /** synchronous_commit on two connections of the store at once (both checked out). */
  const settings = async (store: Store): Promise<string[]> => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    const one = () =>
      store.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(
          trx,
        );
        seen.push(rows[0]!.synchronous_commit);
        if (seen.length === 2) release();
        await held;
      });
    await Promise.all([one(), one()]);
    return seen;
  };

  it('commits lazily on every connection of a lazy pool, and durably elsewhere', async () => {
    expect(await settings(lazy)).toEqual(['off', 'off']);
    expect(await settings(durable)).toEqual(['on', 'on']);
  });

  it('makes a lazy commit visible to other connections at once', async () => {
    await lazy.db
      .insertInto('facilities')
      .values({ id: 'lazy-a', name: 'A', plan: 'premium', created_at: 1, updated_at: 1 })
      .execute();
    const row = await durable.db
      .selectFrom('facilities')
      .select('name')
      .where('id', '=', 'lazy-a')
      .executeTakeFirst();
    expect(row).toEqual({ name: 'A' });
  });
});
