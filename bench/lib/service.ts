// tablehooks as a user runs it: `node packages/server/dist/main.js serve` in its own
// process, on a throw-away store (a SQLite file in a temp folder, or a fresh PostgreSQL
// database on 127.0.0.1:5432), port 0, log level warn.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuMs, memoryMb } from './proc.js';

export type StoreKind = 'sqlite' | 'postgres';

const MAIN = fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url));

/** The build to run: BENCH_MAIN runs another one (a copy of an older commit, for before/after). */
export function mainPath(): string {
  return process.env.BENCH_MAIN ?? MAIN;
}

/**
 * BENCH_BASE_MAIN: an older build run beside this one in the same rounds (drain, steady,
 * latency, API), recorded under the same ids with `.base`: before and after from one run.
 */
export function baseMainPath(): string | undefined {
  return process.env.BENCH_BASE_MAIN || undefined;
}

/** The builds a scenario measures: this one (id suffix ''), then the base if any ('.base'). */
export function variants(): Variant[] {
  const base = baseMainPath();
  return [{ suffix: '', main: mainPath() }, ...(base ? [{ suffix: '.base', main: base }] : [])];
}

export interface Variant {
  suffix: string;
  main: string;
  env?: Record<string, string>;
}

/**
 * The drain's variants: those above and, with BENCH_THREADS_OFF=1, this build with sender
 * threads off ('.threads0'), so the threads' part of a change is seen apart from the rest.
 */
export function drainVariants(): Variant[] {
  const off = process.env.BENCH_THREADS_OFF === '1';
  return [
    ...variants(),
    ...(off
      ? [{ suffix: '.threads0', main: mainPath(), env: { TABLEHOOKS_SENDER_THREADS: '0' } }]
      : []),
  ];
}

export const OPERATOR_KEY = 'op_bench_operator_key_0123456789';
const SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * How tablehooks reaches PostgreSQL: over its Unix socket when it is on this machine (the
 * documented local form, `postgres:///db?host=<folder>&user=…`), or over TCP with
 * BENCH_PG_TCP=1 (or when there is no socket). Loopback TCP costs the sender a kernel
 * round trip per message: a quarter of the API's CPU in a profile (docs/performance.md).
 */
export function postgresTransport(): 'socket' | 'tcp' {
  const admin = new URL(PG_ADMIN_URL);
  const local = admin.hostname === '127.0.0.1' || admin.hostname === 'localhost';
  const socket = `${PG_SOCKET_DIR}/.s.PGSQL.${admin.port || '5432'}`;
  return process.env.BENCH_PG_TCP !== '1' && local && existsSync(socket) ? 'socket' : 'tcp';
}

const PG_SOCKET_DIR = process.env.BENCH_PG_SOCKET_DIR ?? '/var/run/postgresql';

function serviceUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  if (postgresTransport() === 'socket') {
    const user = decodeURIComponent(url.username) || 'postgres';
    const port = url.port ? `&port=${url.port}` : '';
    return `postgres:///${database}?host=${encodeURIComponent(PG_SOCKET_DIR)}${port}&user=${encodeURIComponent(user)}`;
  }
  url.pathname = `/${database}`;
  return url.toString();
}

export interface Store {
  kind: StoreKind;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The SQLite file (sqlite) or the database URL (postgres), for direct SQL. */
  sqliteFile: string;
  drop(): Promise<void>;
}

export async function createStore(kind: StoreKind): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tablehooks-bench-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    return {
      kind,
      dataDir,
      databaseUrl: undefined,
      sqliteFile: join(dataDir, 'tablehooks.sqlite'),
      drop: async () => removeDir(),
    };
  }
  const name = `tablehooks_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    kind,
    dataDir,
    databaseUrl: serviceUrl(name),
    sqliteFile: '',
    drop: async () => {
      removeDir();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface ServiceOptions {
  role?: 'all' | 'api' | 'dispatcher';
  env?: Record<string, string>;
  /** Write a V8 CPU profile (.cpuprofile) of the service into this folder. */
  cpuProfileDir?: string | undefined;
  /** The build's main.js; default mainPath(). */
  main?: string;
}

export class Service {
  private exited = false;
  private readonly gone: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    /** http://127.0.0.1:port/ */
    readonly url: string,
  ) {
    this.gone = new Promise((resolve) => {
      if (proc.exitCode !== null) resolve();
      proc.once('exit', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  static async start(store: Store, options: ServiceOptions = {}): Promise<Service> {
    const nodeArgs = options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
      : [];
    const proc = spawn(process.execPath, [...nodeArgs, options.main ?? mainPath(), 'serve'], {
      env: {
        PATH: process.env.PATH,
        TABLEHOOKS_PORT: '0',
        TABLEHOOKS_DATA_DIR: store.dataDir,
        ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
        TABLEHOOKS_SECRET_KEY: SECRET_KEY,
        TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
        TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
        TABLEHOOKS_LOG_LEVEL: 'warn',
        TABLEHOOKS_ROLE: options.role ?? 'all',
        // For trying other thread counts by hand (the default is the build's own).
        ...(process.env.TABLEHOOKS_SENDER_THREADS
          ? { TABLEHOOKS_SENDER_THREADS: process.env.TABLEHOOKS_SENDER_THREADS }
          : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => {
      out += d;
    });
    proc.stderr!.on('data', (d) => {
      err += d;
      // Warnings and errors from the service show up in the harness output as they happen.
      if (err.length < 20_000) process.stderr.write(`[tablehooks] ${d}`);
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const match = /serving on (http:\/\/\S+?\/) /.exec(out);
      if (match) return new Service(proc, match[1]!);
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    proc.kill('SIGKILL');
    throw new Error(`tablehooks did not start:\n${out}\n${err}`);
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  cpuMs(): number {
    return cpuMs(this.pid);
  }

  memoryMb(): { rss: number; peak: number } {
    return memoryMb(this.pid);
  }

  /** SIGTERM (a clean stop writes the CPU profile), SIGKILL if that takes too long. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.gone;
    clearTimeout(timer);
  }
}

/** Databases left by a bench that was killed (its pid is gone): drop them. */
export async function dropStaleStores(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like 'tablehooks_bench_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^tablehooks_bench_(\d+)_/.exec(datname)?.[1]);
      if (pid === process.pid || isAlive(pid)) continue;
      await client.query(`drop database if exists ${datname} with (force)`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it just isn't ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
