// Group commit (src/db/sqlite-group-commit-driver.ts): many transactions share one COMMIT,
// yet each resolves only once its change is committed, fails alone when it fails alone, and
// fails with its group when the group's COMMIT fails. The promises that hold on PostgreSQL
// too run on both stores; counting fsyncs and breaking a COMMIT are SQLite's.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/dialect.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';

const FILE = 'tablehooks.sqlite';

function insertSetting(store: Store, key: string): Promise<unknown> {
  return store.db.transaction().execute(async (trx) => {
    await trx.insertInto('settings').values({ key, value: 'v' }).execute();
  });
}

async function keys(store: Store, prefix: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('settings')
    .select('key')
    .where('key', 'like', `${prefix}%`)
    .orderBy('key')
    .execute();
  return rows.map((r) => r.key);
}

describeEachDialect('group commit', (dialect) => {
  let store: TestStore | undefined;
  let other: Store | undefined;
  afterEach(async () => {
    await other?.close();
    await store?.drop();
    store = undefined;
    other = undefined;
  });

  it('undoes only the transaction that failed among concurrent ones', async () => {
    store = await createTestStore(dialect);
    const s = store;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        s.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('settings')
            .values({ key: `t${i}`, value: 'v' })
            .execute();
          await trx
            .insertInto('settings')
            .values({ key: `t${i}b`, value: 'v' })
            .execute();
          if (i === 7) throw new Error('fails on purpose');
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const expected = Array.from({ length: 20 }, (_, i) => i)
      .filter((i) => i !== 7)
      .flatMap((i) => [`t${i}`, `t${i}b`])
      .sort();
    expect(await keys(s, 't')).toEqual(expected);
  });

  it('resolves a write only once another connection can read it', async () => {
    store = await createTestStore(dialect);
    const s = store;
    const reader = openStore({ databaseUrl: s.databaseUrl, dataDir: s.dataDir, poolSize: 1 });
    other = reader;
    const seen = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        await (i % 2
          ? insertSetting(s, `r${i}`)
          : s.db
              .insertInto('settings')
              .values({ key: `r${i}`, value: 'v' })
              .execute());
        const row = await reader.db
          .selectFrom('settings')
          .select('key')
          .where('key', '=', `r${i}`)
          .executeTakeFirst();
        return row?.key;
      }),
    );
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`));
  });

  it('keeps Kysely savepoints working inside a transaction', async () => {
    store = await createTestStore(dialect);
    const concurrent = insertSetting(store, 's-concurrent');
    const trx = await store.db.startTransaction().execute();
    await trx.insertInto('settings').values({ key: 's-kept', value: 'v' }).execute();
    const sp = await trx.savepoint('before_undone').execute();
    await sp.insertInto('settings').values({ key: 's-undone', value: 'v' }).execute();
    const back = await sp.rollbackToSavepoint('before_undone').execute();
    const sp2 = await back.savepoint('released').execute();
    await sp2.insertInto('settings').values({ key: 's-released', value: 'v' }).execute();
    const done = await sp2.releaseSavepoint('released').execute();
    await done.commit().execute();
    await concurrent;
    expect(await keys(store, 's-')).toEqual(['s-concurrent', 's-kept', 's-released']);
  });
});

// SQLite only: PostgreSQL commits each transaction itself (synchronous_commit=on).
describe('group commit on one SQLite file [sqlite]', () => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  function stats() {
    const commitStats = store?.commitStats;
    if (!commitStats) throw new Error('the SQLite store exposes commitStats');
    return commitStats();
  }

  it('keeps a group’s savepoint journals in memory, not in temporary files', async () => {
    store = await createTestStore('sqlite');
    // Each transaction of a group is a savepoint; its journal spilled to a file in /var/tmp
    // past 64 KiB, thousands of writes a second at load (docs/performance.md, seventh pass).
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(store.db);
    expect(rows[0]?.temp_store).toBe(2);
  });

  it('shares one COMMIT between transactions and writes that arrive together', async () => {
    store = await createTestStore('sqlite');
    const s = store;
    const before = stats();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 5
          ? insertSetting(s, `g${i}`)
          : s.db
              .insertInto('settings')
              .values({ key: `g${i}`, value: 'v' })
              .execute(),
      ),
    );
    const after = stats();
    expect(after.members - before.members).toBe(50);
    expect(after.commits - before.commits).toBeLessThanOrEqual(3);
    expect(await keys(s, 'g')).toHaveLength(50);
  });

  it('does not make a read wait for, or open, a group', async () => {
    store = await createTestStore('sqlite');
    const before = stats();
    await store.db.selectFrom('settings').selectAll().execute();
    await store.db.transaction().execute((trx) => trx.selectFrom('settings').selectAll().execute());
    expect(stats().members).toBe(before.members);
  });

  it('commits a lazy use without an fsync, and ends its group before a durable write', async () => {
    store = await createTestStore('sqlite');
    const s = store;
    // As the dispatcher's lazily() does.
    const lazily = (key: string) =>
      s.profile.lazyCommit.transaction(s.db, async (trx) => {
        await trx.insertInto('settings').values({ key, value: 'v' }).execute();
      });
    const start = stats();
    await lazily('z-lazy-alone');
    await new Promise((r) => setTimeout(r, 20));
    const afterLazy = stats();
    expect(afterLazy.lazyCommits - start.lazyCommits).toBe(1);
    expect(afterLazy.commits).toBe(start.commits);

    // Arriving together: whichever opens the group, the durable write is synced.
    await Promise.all([lazily('z-lazy'), insertSetting(s, 'z-durable'), lazily('z-lazy2')]);
    await new Promise((r) => setTimeout(r, 20));
    expect(stats().commits - afterLazy.commits).toBe(1);
    expect(await keys(s, 'z-')).toEqual(['z-durable', 'z-lazy', 'z-lazy-alone', 'z-lazy2']);
    // A lazy use is lazy for its own turn only: the next write on the connection is synced.
    await insertSetting(s, 'z-durable2');
    expect(stats().commits - afterLazy.commits).toBe(2);
  });

  it("refuses to change a transaction's durability inside it, as SQLite does", async () => {
    store = await createTestStore('sqlite');
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`pragma synchronous = NORMAL`.execute(trx);
      }),
    ).rejects.toThrow(/inside a transaction/);
  });

  it('fails every waiter of a group whose COMMIT fails, and commits the next group', async () => {
    store = await createTestStore('sqlite');
    const s = store;
    // A deferred foreign key is checked at COMMIT only: the one way to make an otherwise
    // healthy COMMIT fail on demand (a full disk or an IO error would fail it the same way).
    await sql`create table gc_parent (id integer primary key)`.execute(s.db);
    await sql`create table gc_child (id integer primary key,
      parent_id integer references gc_parent (id) deferrable initially deferred)`.execute(s.db);
    await insertSetting(s, 'c-acknowledged');
    const before = stats();
    const results = await Promise.allSettled([
      insertSetting(s, 'c1'),
      s.db.insertInto('settings').values({ key: 'c2', value: 'v' }).execute(),
      sql`insert into gc_child (id, parent_id) values (1, 999)`.execute(s.db),
      insertSetting(s, 'c3'),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/group commit failed/);
    }
    expect(stats().failedGroups - before.failedGroups).toBe(1);
    await insertSetting(s, 'c-after');
    expect(await keys(s, 'c')).toEqual(['c-acknowledged', 'c-after']);
  });

  it('fails the group when a statement makes SQLite roll back the whole transaction', async () => {
    store = await createTestStore('sqlite');
    const s = store;
    await insertSetting(s, 'x-acknowledged');
    const results = await Promise.allSettled([
      insertSetting(s, 'x1'),
      // OR ROLLBACK ends the whole transaction, not just the statement: the others in the
      // group are gone with it and must not be told otherwise.
      sql`insert or rollback into settings (key, value) values ('x-acknowledged', 'v')`.execute(
        s.db,
      ),
      // Starts after the rollback, in a group of its own.
      insertSetting(s, 'x2'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    await insertSetting(s, 'x-after');
    expect(await keys(s, 'x')).toEqual(['x-acknowledged', 'x-after', 'x2']);
  });

  it('lets another process write between groups while under load', async () => {
    store = await createTestStore('sqlite');
    const s = store;
    let stop = false;
    // Bursts with short pauses, as requests come. A writer that never pauses leaves the lock
    // free for microseconds only, and SQLite's busy handler (which sleeps between tries) may
    // miss every gap: that was so with one commit per transaction too.
    const load = (async () => {
      for (let i = 0; !stop && i < 10_000; i++) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => insertSetting(s, `l${i}-${j}`)));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      // A process of its own: in this one, its busy wait would block the group it waits for.
      const script = `
        const db = new (require('better-sqlite3'))(process.argv[1]);
        db.pragma('busy_timeout = 5000');
        db.prepare("insert into settings (key, value) values ('l-outsider', 'v')").run();
        db.close();`;
      await promisify(execFile)(process.execPath, ['-e', script, join(s.dataDir, FILE)], {
        timeout: 20_000,
      });
    } finally {
      stop = true;
      await load;
    }
    expect(await keys(s, 'l-outsider')).toEqual(['l-outsider']);
    expect((await keys(s, 'l')).length).toBeGreaterThan(1);
  });

  it('sees a column added after a statement was cached', async () => {
    store = await createTestStore('sqlite');
    await sql`create table gc_shape (a integer)`.execute(store.db);
    await sql`insert into gc_shape (a) values (1)`.execute(store.db);
    const query = sql<Record<string, unknown>>`select * from gc_shape`;
    expect((await query.execute(store.db)).rows).toEqual([{ a: 1 }]);
    await sql`alter table gc_shape add column b integer default 2`.execute(store.db);
    expect((await query.execute(store.db)).rows).toEqual([{ a: 1, b: 2 }]);
  });
});
