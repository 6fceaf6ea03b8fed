// DIALECTS: every storage test runs once on a real SQLite file and once on a real
// PostgreSQL database of its own (cloned from the migrated template).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { type DialectName, openStore, type Store } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export interface TestStore extends Store {
  /** A DATABASE_URL for subprocesses (postgres) or undefined (sqlite). */
  databaseUrl: string | undefined;
  /** The folder holding the SQLite file (and, for subprocesses, the secret key). */
  dataDir: string;
  drop(): Promise<void>;
}

function postgresInfo(): { adminUrl: string; template: string } | undefined {
  const info = inject('postgres');
  return 'skipped' in info ? undefined : info;
}

/** describe() once per dialect; the PostgreSQL block is skipped (with the reason) only outside CI. */
export function describeEachDialect(title: string, body: (dialect: DialectName) => void): void {
  for (const dialect of DIALECTS) {
    const info = inject('postgres');
    const skip = dialect === 'postgres' && 'skipped' in info;
    (skip ? describe.skip : describe)(`${title} [${dialect}]`, () => body(dialect));
  }
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface TestStoreOptions {
  poolSize?: number;
  /** false: an empty database, for testing the migrations themselves. */
  migrated?: boolean;
}

export async function createTestStore(
  dialect: DialectName,
  { poolSize = 5, migrated = true }: TestStoreOptions = {},
): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tablehooks-test-'));
  if (dialect === 'sqlite') {
    const store = openStore({ databaseUrl: undefined, dataDir });
    if (migrated) await migrateToLatest(store.db, store.profile);
    return {
      ...store,
      databaseUrl: undefined,
      dataDir,
      drop: async () => {
        await store.close().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const info = postgresInfo();
  if (!info) throw new Error('PostgreSQL is not available for this test run');
  const name = `tablehooks_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  // Cloning copies the template's files; two clones at the same instant may collide on the
  // template's lock, so try a few times.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(
        info.adminUrl,
        `create database ${name}${migrated ? ` template ${info.template}` : ''}`,
      );
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = new URL(info.adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const store = openStore({ databaseUrl, dataDir, poolSize });
  return {
    ...store,
    databaseUrl,
    dataDir,
    drop: async () => {
      await store.close().catch(() => {});
      await adminQuery(info.adminUrl, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
