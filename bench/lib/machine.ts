// The machine and software versions a result was measured on, for the JSON and the doc.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { postgresTransport, type StoreKind } from './service.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  loadAverage: number[];
  node: string;
  sqlite: string;
  postgres: string | undefined;
  /** How tablehooks reached PostgreSQL: its Unix socket or loopback TCP. */
  postgresTransport: 'socket' | 'tcp' | undefined;
  commit: string | undefined;
  /** Uncommitted changes in the working tree when the run started. */
  dirty: boolean | undefined;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export async function describeMachine(stores: StoreKind[]): Promise<Machine> {
  const memory = new Sqlite(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  let postgres: string | undefined;
  if (stores.includes('postgres')) {
    const client = new pg.Client({
      connectionString: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await client.connect();
    postgres = (await client.query('show server_version')).rows[0].server_version;
    await client.end();
  }
  const status = git(['status', '--porcelain']);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    sqlite,
    postgres,
    postgresTransport: postgres ? postgresTransport() : undefined,
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: status === undefined ? undefined : status.length > 0,
  };
}
