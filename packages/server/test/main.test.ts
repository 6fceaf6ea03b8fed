import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY } from './support/harness.js';
import { runMain, startServer } from './support/process.js';
import { createTestStore, describeEachDialect, type TestStore } from './support/stores.js';

describe('tablehooks serve, with a bad configuration value', () => {
  it('exits non-zero with a message that names the variable', async () => {
    const run = runMain(['serve'], { TABLEHOOKS_PORT: 'abc' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('TABLEHOOKS_PORT');
    expect(run.stderr()).toContain('"abc"');
  });
});

describeEachDialect('tablehooks serve', (dialect) => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.drop();
    store = undefined;
  });

  it('migrates an empty database, answers /healthz, and stops cleanly on SIGTERM', async () => {
    store = await createTestStore(dialect, { migrated: false });
    const server = await startServer({
      TABLEHOOKS_DATA_DIR: store.dataDir,
      DATABASE_URL: store.databaseUrl,
      TABLEHOOKS_SECRET_KEY: store.databaseUrl ? TEST_SECRET_KEY : undefined,
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', database: dialect });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('stopped cleanly');

    const migrations = await sql<{ name: string }>`select name from kysely_migration`.execute(
      store.db,
    );
    expect(migrations.rows.map((r) => r.name)).toContain('2026-11-27T10-foundation');
  });
});
