// The harness's handle on a receiver process: wait for N distinct triggers, read the times.
import { Child } from './child.js';

export interface PathStats {
  count: number;
  distinct: number;
  first: number;
  last: number;
  badAuth: number;
}

export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench-password';
export const AUTHORIZATION = `Basic ${Buffer.from(`${BENCH_USER}:${BENCH_PASSWORD}`).toString('base64')}`;

export class Receiver {
  private constructor(
    readonly child: Child,
    /** http://127.0.0.1:port, without a path. */
    readonly origin: string,
  ) {}

  static async start(mode: 'ok' | 'hang' = 'ok'): Promise<Receiver> {
    const { child, ready } = await Child.start('receiver.ts', {
      mode,
      authorization: AUTHORIZATION,
    });
    return new Receiver(child, ready.url);
  }

  reset(record = false): Promise<void> {
    return this.child.call('reset', { record });
  }

  stats(): Promise<Record<string, PathStats>> {
    return this.child.call('stats');
  }

  arrivals(path: string): Promise<{ ids: number[]; times: number[] }> {
    return this.child.call('arrivals', { path }, 60_000);
  }

  /**
   * Polls until every path in `paths` has `perPath` distinct triggers; answers their stats.
   * Throws after `timeoutMs` with how far it got.
   */
  async waitFor(paths: string[], perPath: number, timeoutMs: number): Promise<PathStats[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.stats();
      const got = paths.map(
        (p) => all[p] ?? { count: 0, distinct: 0, first: 0, last: 0, badAuth: 0 },
      );
      if (got.every((s) => s.distinct >= perPath)) return got;
      if (Date.now() > deadline) {
        const total = got.reduce((n, s) => n + s.distinct, 0);
        throw new Error(
          `receiver got ${total} of ${perPath * paths.length} triggers in ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** Deliveries per second from the first to the last distinct arrival over several paths. */
export function spanRate(
  stats: PathStats[],
  from?: number,
): { count: number; ms: number; perSec: number } {
  const count = stats.reduce((n, s) => n + s.distinct, 0);
  const first = from ?? Math.min(...stats.map((s) => s.first));
  const last = Math.max(...stats.map((s) => s.last));
  const ms = last - first;
  return { count, ms, perSec: ms > 0 ? (count / ms) * 1000 : 0 };
}
