// The real binary as an operator runs it: `node dist/main.js <args>` in its own process,
// against a test store, with a bounded wait.
export { envFor } from '../support/harness.js';

import { runMain } from '../support/process.js';

export interface CliResult {
  code: number | string;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

export type Env = Record<string, string | undefined>;

export async function cli(
  args: string[],
  env: Env,
  timeoutMs = 30_000,
  cwd?: string,
): Promise<CliResult> {
  const run = runMain(args, env, cwd ? { cwd } : {});
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  let json: any;
  try {
    json = JSON.parse(run.stdout());
  } catch {
    json = undefined;
  }
  return { code, stdout: run.stdout(), stderr: run.stderr(), json };
}

/** Waits until `check` passes on the process's output, or fails after timeoutMs. */
export async function until(
  check: () => boolean,
  what: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a long-running command (serve, demo) on port 0 and waits for its URL. */
export async function startCommand(args: string[], env: Env, timeoutMs = 30_000) {
  const run = runMain(args, { TABLEHOOKS_PORT: '0', ...env });
  try {
    await until(
      () => /serving on http:\/\/\S+/.test(run.stdout()),
      () => `no URL yet:\n${run.stdout()}\n${run.stderr()}`,
      timeoutMs,
    );
  } catch (err) {
    run.child.kill('SIGKILL');
    throw err;
  }
  const url = /serving on (http:\/\/\S+?)\/? /.exec(run.stdout())![1]!;
  return { ...run, url };
}
