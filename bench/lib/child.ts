// A helper process (receiver, ceiling client, BullMQ worker) forked with IPC: the parent
// sends `{ id, cmd, args }`, the child answers `{ id, result | error }`. Every call has a
// deadline, so a stuck child fails the scenario instead of hanging the run.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './proc.js';

interface Reply {
  id?: number;
  result?: unknown;
  error?: string;
  type?: string;
}

export class Child {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: any) => void; reject: (e: Error) => void }
  >();
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: Reply) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${name}: ${m.error}`));
      else p.resolve(m.result);
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) {
        p.reject(new Error(`${name} exited (${code ?? signal}) during a call`));
      }
      this.pending.clear();
    });
  }

  /** Forks `procs/<file>` (TypeScript, through the tsx loader the harness runs under). */
  static async start(
    file: string,
    args: Record<string, unknown>,
    timeoutMs = 15_000,
  ): Promise<{ child: Child; ready: any }> {
    const path = fileURLToPath(new URL(`../procs/${file}`, import.meta.url));
    const proc = fork(path, [JSON.stringify(args)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(file, proc);
    const ready = await new Promise<any>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${file} not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited (${code}) before it was ready`));
      });
      proc.on('message', (m: Reply) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolve(m.result);
      });
    });
    return { child, ready };
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** User + system CPU time of the child so far, in ms. */
  cpuMs(): number {
    return cpuMs(this.pid);
  }

  call<T = any>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.send({ id, cmd, args });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  }
}

/** The child side: answer calls with `handlers`, then say ready. */
export function serveCalls(handlers: Record<string, (args: any) => unknown>, ready: unknown): void {
  process.on('message', async (m: { id: number; cmd: string; args: any }) => {
    const handler = handlers[m.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      process.send!({ id: m.id, result: await handler(m.args) });
    } catch (err) {
      process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  // The parent going away (a crashed harness) must not leave us running.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', result: ready });
}

export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}
