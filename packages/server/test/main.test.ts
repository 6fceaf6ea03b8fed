import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, TEST_SECRET_KEY } from './support/harness.js';
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

describe('the embedded data folder', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('is created owner-only, with the database, its WAL and the key readable by no one else', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tablehooks-modes-'));
    const dataDir = join(parent, 'nested', 'data');
    try {
      const server = await startServer({
        TABLEHOOKS_DATA_DIR: dataDir,
        TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
      });
      // A write, so that the WAL and its index exist.
      const res = await fetch(`${server.url}/v1/facility`, {
        method: 'POST',
        headers: { 'api-key': OPERATOR_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'modes', name: 'Modes' }),
      });
      expect(res.status).toBe(201);
      const files = ['tablehooks.sqlite', 'tablehooks.sqlite-wal', 'tablehooks.sqlite-shm'];
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(parent, 'nested'))).toBe(0o700);
      for (const f of [...files, 'secret.key']) expect(modeOf(join(dataDir, f)), f).toBe(0o600);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);

      // A database left readable by an older version is tightened on the next start.
      for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o644);
      const again = await startServer({ TABLEHOOKS_DATA_DIR: dataDir });
      await fetch(`${again.url}/readyz`);
      for (const f of files) expect(modeOf(join(dataDir, f)), f).toBe(0o600);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
