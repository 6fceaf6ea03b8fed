// Scenario 9: how far adding dispatcher processes goes. One API process (TABLEHOOKS_ROLE=api)
// and 1, 2 and 3 dispatcher processes (TABLEHOOKS_ROLE=dispatcher) on one PostgreSQL
// database, each draining the same backlog (ten webhooks on ten facilities) in turn. The
// dispatchers share each webhook's limit (8 in flight, all of them together) and the work
// through SKIP LOCKED claims. Reported: the drain rate, and the CPU each process used per
// delivery (and PostgreSQL's, all its processes on this machine), so an operator can see
// where the cores went.
import { readdirSync, readFileSync } from 'node:fs';
import { insertBacklog } from '../lib/backlog.js';
import type { Context } from '../lib/context.js';
import { deadlineFor } from '../lib/limits.js';
import { cpuMs } from '../lib/proc.js';
import { spanRate } from '../lib/receiver.js';
import { createStore, Service } from '../lib/service.js';
import { facilities } from '../lib/setup.js';

const HOOKS = 10;

export async function scaleout(ctx: Context): Promise<void> {
  if (!ctx.options.stores.includes('postgres')) {
    ctx.log('scale-out needs PostgreSQL: skipped');
    return;
  }
  const count = ctx.options.events;
  const store = await createStore('postgres');
  let apiProcess: Service | undefined;
  try {
    apiProcess = await Service.start(store, { role: 'api' });
    const hooked = await facilities(apiProcess, 'scale', HOOKS, () => ctx.receiver.origin);
    for (const n of [1, 2, 3]) {
      const dispatchers: Service[] = [];
      try {
        for (let i = 0; i < n; i++) {
          dispatchers.push(
            await Service.start(store, {
              role: 'dispatcher',
              env: { TABLEHOOKS_POLL_INTERVAL_MS: '100' },
              cpuProfileDir: ctx.options.cpuProfileDir,
            }),
          );
        }
        // Two heartbeats: every dispatcher knows the others, and so its share of each webhook.
        await new Promise((r) => setTimeout(r, 4_500));
        await ctx.receiver.reset();
        const before = dispatchers.map((d) => d.cpuMs());
        const apiBefore = apiProcess.cpuMs();
        const pgBefore = postgresCpuMs();
        await insertBacklog(store, hooked, count);
        const stats = await ctx.receiver.waitFor(
          hooked.map((h) => h.path),
          count / HOOKS,
          deadlineFor(count),
        );
        const rate = spanRate(stats);
        const per = (ms: number) => (ms * 1000) / rate.count;
        const values: Record<string, number> = {
          perSec: rate.perSec,
          ms: rate.ms,
          apiCpuUsPer: per(apiProcess.cpuMs() - apiBefore),
          postgresCpuUsPer: per(postgresCpuMs() - pgBefore),
          duplicates: stats.reduce((s, p) => s + p.count - p.distinct, 0),
        };
        dispatchers.forEach((d, i) => {
          values[`dispatcher${i + 1}CpuUsPer`] = per(d.cpuMs() - before[i]!);
        });
        ctx.record(`scaleout.${n}`, 1, values);
      } finally {
        await Promise.all(dispatchers.map((d) => d.stop()));
      }
    }
  } finally {
    await apiProcess?.stop();
    await store.drop();
  }
}

/** CPU of every `postgres` process on this machine (the server and its backends), in ms. */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    total += cpuMs(Number(entry));
  }
  return total;
}
