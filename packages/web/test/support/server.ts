// The real tablehooks server as a subprocess on port 0, on a throw-away SQLite folder.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const serverDir = resolve(here, '../../../server');
const mainJs = join(serverDir, 'dist/main.js');

export const OPERATOR_KEY = 'op_e2e_operator_key_0123456789abcdef';

/** Builds the server (incrementally) so the test runs the code in the tree. */
function buildServer(): void {
  try {
    execFileSync('npx', ['tsc', '-b', serverDir], { stdio: 'pipe', cwd: serverDir });
  } catch (err) {
    // A half-edited file elsewhere must not stop the UI tests if a build exists.
    if (!existsSync(mainJs)) throw new Error(`cannot build the server: ${String(err)}`);
    process.stderr.write('warning: the server did not rebuild; testing the existing dist/\n');
  }
}

export interface RunningServer {
  url: string;
  /** The SQLite folder, for tests that plant rows an older version could have stored. */
  dataDir: string;
  /** GET/POST/PATCH the API with the operator key, as the platform operator would. */
  operator<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  output: string[];
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  buildServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'tablehooks-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [mainJs], {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      TABLEHOOKS_HOST: '127.0.0.1',
      TABLEHOOKS_PORT: '0',
      TABLEHOOKS_DATA_DIR: dataDir,
      TABLEHOOKS_OPERATOR_KEY: OPERATOR_KEY,
      TABLEHOOKS_ALLOWED_TARGETS: '127.0.0.1/32',
      TABLEHOOKS_LOG_LEVEL: 'warn',
      // One quick retry: a delivery to a dead receiver is "failed" within seconds.
      TABLEHOOKS_RETRY_SCHEDULE: '1',
      TABLEHOOKS_DELIVERY_TIMEOUT_MS: '3000',
      ...env,
    },
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${output.join('')}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output.push(String(chunk));
      const m = /tablehooks is serving on (http:\/\/\S+\/) \(/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!.replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => output.push(String(c)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });

  return {
    url,
    dataDir,
    output,
    async operator(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: {
          'api-key': OPERATOR_KEY,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A facility and its users, made with the operator API. */
export async function createFacility(
  server: RunningServer,
  facility: { id: string; name: string; plan: 'free' | 'premium' },
  users: { email: string; password: string; role: 'owner' | 'staff' }[],
): Promise<void> {
  const { id } = facility;
  await server.operator('POST', '/v1/facility', facility);
  for (const user of users) await server.operator('POST', `/v1/facility/${id}/users`, user);
}
