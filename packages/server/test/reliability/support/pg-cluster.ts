// A throw-away PostgreSQL cluster of our own, on its own port, for tests that restart the
// database: the shared cluster on 5432 serves everybody else's tests and is never touched.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { closedPort } from './listener.js';

const run = promisify(execFile);

export interface Cluster {
  name: string;
  version: string;
  port: number;
  adminUrl: string;
  /** `pg_ctlcluster <version> <name> <action>` */
  ctl(action: 'start' | 'stop' | 'restart'): Promise<void>;
  createDatabase(name: string): Promise<string>;
  drop(): Promise<void>;
}

/** Why a cluster can't be made here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'pg_createcluster needs root';
  if (!existsSync('/usr/bin/pg_createcluster'))
    return 'pg_createcluster is not installed (postgresql-common)';
  if (!existsSync('/etc/postgresql') || readdirSync('/etc/postgresql').length === 0) {
    return 'no PostgreSQL version under /etc/postgresql';
  }
  return undefined;
}

/** Clusters left behind by a run that was killed before it could drop them. */
async function dropLeftovers(version: string): Promise<void> {
  for (const name of readdirSync(`/etc/postgresql/${version}`)) {
    const pid = /^threl_(\d+)_[a-z0-9]+$/.exec(name)?.[1];
    if (!pid || alive(Number(pid))) continue;
    await run('pg_dropcluster', ['--stop', version, name], { timeout: 120_000 }).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function createCluster(): Promise<Cluster> {
  const version = readdirSync('/etc/postgresql').sort().at(-1)!;
  await dropLeftovers(version);
  const name = `threl_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  const port = await closedPort();
  // Trust on loopback only, like the shared test cluster; fsync off: it is thrown away.
  await run(
    'pg_createcluster',
    [version, name, '-p', String(port), '--start', '--', '--auth=trust', '--no-sync'],
    {
      timeout: 120_000,
    },
  );
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const cluster: Cluster = {
    name,
    version,
    port,
    adminUrl,
    async ctl(action) {
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action], {
        timeout: 120_000,
      });
    },
    async createDatabase(db) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`create database ${db}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    async drop() {
      await run('pg_dropcluster', ['--stop', version, name], { timeout: 120_000 }).catch(() => {});
    },
  };
  return cluster;
}
