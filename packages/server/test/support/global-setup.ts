// Once per test run: find PostgreSQL and build a migrated template database that each test
// file clones (graphile-worker's approach: cloning is far faster than migrating anew).

import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; template: string } | { skipped: string };
  }
}

async function query(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `tablehooks_tpl_${process.pid}_${Date.now().toString(36)}`;
  try {
    await query('select 1');
  } catch (err) {
    const why = `PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(err as Error).message})`;
    if (process.env.CI === 'true') {
      throw new Error(`${why}; under CI=true the PostgreSQL tests must run, not be skipped`);
    }
    process.stdout.write(
      `\n  SKIPPING PostgreSQL tests: ${why}. Set TEST_DATABASE_URL to run them.\n\n`,
    );
    project.provide('postgres', { skipped: why });
    return async () => {};
  }
  await query(`create database ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const store = openStore({ databaseUrl: url.toString(), dataDir: '.' });
  try {
    await migrateToLatest(store.db, store.profile);
  } finally {
    await store.close();
  }
  project.provide('postgres', { adminUrl, template });
  return async () => {
    await query(`drop database if exists ${template} with (force)`);
  };
}
