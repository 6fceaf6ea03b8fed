// Scenario 5: a million pending deliveries (ten webhooks on ten facilities) written straight
// into the store, then a dispatcher-only process started on it: its peak RSS, and its drain
// rate over the first `backlogWindow` deliveries (the backlog is still ~90% full at the end).
import { insertBacklog } from '../lib/backlog.js';
import type { Context } from '../lib/context.js';
import { deadlineFor } from '../lib/limits.js';
import { now } from '../lib/proc.js';
import { spanRate } from '../lib/receiver.js';
import { createStore, Service, type StoreKind } from '../lib/service.js';
import { facilities } from '../lib/setup.js';

const HOOKS = 10;

export async function backlog(ctx: Context): Promise<void> {
  for (const kind of ctx.options.stores) await drainBig(ctx, kind);
}

async function drainBig(ctx: Context, kind: StoreKind): Promise<void> {
  const { backlog: total, backlogWindow: window } = ctx.options;
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store);
    const hooked = await facilities(service, 'backlog', HOOKS, () => ctx.receiver.origin);
    await service.stop();
    const t0 = now();
    await insertBacklog(store, hooked, total);
    const insertSec = (now() - t0) / 1000;
    ctx.log(`  ${total} pending deliveries written in ${insertSec.toFixed(1)} s`);
    await ctx.receiver.reset();
    service = await Service.start(store, {
      role: 'dispatcher',
      cpuProfileDir: ctx.options.cpuProfileDir,
    });
    const startRss = service.memoryMb().rss;
    const cpu = service.cpuMs();
    const stats = await ctx.receiver.waitFor(
      hooked.map((h) => h.path),
      window / HOOKS,
      deadlineFor(window),
    );
    const rate = spanRate(stats);
    const memory = service.memoryMb();
    ctx.record(`backlog.${kind}`, 1, {
      pending: total,
      perSec: rate.perSec,
      ms: rate.ms,
      peakRssMb: memory.peak,
      startRssMb: startRss,
      cpuUsPer: ((service.cpuMs() - cpu) * 1000) / rate.count,
      insertSec,
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}
