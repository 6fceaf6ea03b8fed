// The real binary as a user runs it: node dist/main.js, in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>;
}

export function runMain(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string } = {},
) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Starts `serve` on port 0 and waits for the line that prints the URL. */
export async function startServer(
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
): Promise<Running> {
  const run = runMain(['serve'], { TABLEHOOKS_PORT: '0', ...env });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /serving on (http:\/\/\S+?)\/? /.exec(run.stdout());
    if (match) return { ...run, url: match[1]! };
    const done = await Promise.race([
      run.exited,
      new Promise((r) => setTimeout(() => r(undefined), 50)),
    ]);
    if (done !== undefined) {
      throw new Error(
        `server exited (${done}) before listening:\n${run.stdout()}\n${run.stderr()}`,
      );
    }
  }
  run.child.kill('SIGKILL');
  throw new Error(`server did not start in ${timeoutMs} ms:\n${run.stdout()}\n${run.stderr()}`);
}
