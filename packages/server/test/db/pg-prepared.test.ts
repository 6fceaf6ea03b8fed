// On PostgreSQL the hot queries (fixed text) run as named prepared statements, parsed once
// per connection; queries whose text varies do not pile up as prepared statements; and a
// statement made stale by another process's migration fails once, on that connection only,
// and the next request works. (SQLite keeps its prepared statements in
// sqlite-statement-cache.ts; this is PostgreSQL's side of the same idea.)
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, type Store } from '../../src/db/dialect.js';
import { hotQuery } from '../../src/db/hot-query.js';
import { createTestStore, type TestStore } from '../support/stores.js';

describe.skipIf('skipped' in inject('postgres'))('named prepared statements [postgres]', () => {
  let test: TestStore;
  let store: Store;
  beforeAll(async () => {
    test = await createTestStore('postgres');
    // One connection, so every query below runs in the session whose statements we read.
    store = openStore({ databaseUrl: test.databaseUrl, dataDir: test.dataDir, poolSize: 1 });
    await store.db
      .insertInto('facilities')
      .values({ id: 'prep-a', name: 'A', plan: 'premium', created_at: 1, updated_at: 1 })
      .execute();
  });
  afterAll(async () => {
    await store.close();
    await test.drop();
  });

  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements order by name`.execute(store.db)
    ).rows;

  const byId = hotQuery((db, p: { id: string }) =>
    db.selectFrom('facilities').select(['id', 'name']).where('id', '=', p.id),
  );

  it('parses a hot query once per connection, and nothing else is kept', async () => {
    expect(await byId.execute(store.db, { id: 'prep-a' })).toEqual([{ id: 'prep-a', name: 'A' }]);
    expect(await byId.execute(store.db, { id: 'nope' })).toEqual([]);
    // A query built anew each time (its text may vary) is not kept.
    await store.db.selectFrom('facilities').select('id').where('id', 'in', ['a', 'b']).execute();
    const statements = await prepared();
    expect(statements).toHaveLength(1);
    expect(statements[0]!.name).toMatch(/^th_/);
    expect(statements[0]!.statement).toContain('from "facilities"');
  });

  it('survives another process changing the table under a prepared statement', async () => {
    const all = hotQuery((db, p: { id: string }) =>
      db.selectFrom('facilities').selectAll().where('id', '=', p.id),
    );
    expect(await all.execute(store.db, { id: 'prep-a' })).toHaveLength(1);
    // Another process migrates: the statement's result type changes under it.
    const other = new pg.Client({ connectionString: test.databaseUrl });
    await other.connect();
    await other.query('alter table facilities add column prep_extra text');
    await other.end();
    // PostgreSQL refuses the stale statement once ("cached plan must not change result
    // type"); the connection is replaced, and the next request gets the new columns.
    const first = await all.execute(store.db, { id: 'prep-a' }).then(
      (rows) => rows,
      (err: { code?: string }) => err.code,
    );
    expect(first).toBe('0A000');
    const [row] = await all.execute(store.db, { id: 'prep-a' });
    expect(row).toHaveProperty('prep_extra', null);
  });
});
