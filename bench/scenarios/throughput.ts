// Scenarios 1, 2, 4 and 7 in rounds: in each round, for one webhook and for ten webhooks on
// ten facilities, the ceiling (a bare undici Pool), tablehooks draining a backlog and
// delivering events that arrive through the API (on each store), the isolation run (one
// webhook in ten never answers), and the BullMQ baseline — close together in time, so
// their ratios are not skewed by what else the machine was doing.

import { insertBacklog } from '../lib/backlog.js';
import type { Context } from '../lib/context.js';
import { concurrencyFor, deadlineFor } from '../lib/limits.js';
import { pushEvents } from '../lib/load.js';
import { spanRate } from '../lib/receiver.js';
import {
  createStore,
  drainVariants,
  Service,
  type StoreKind,
  type Variant,
  variants,
} from '../lib/service.js';

import { facilities } from '../lib/setup.js';
import { bullmqDrain, bullmqSteady } from './bullmq.js';

export async function throughput(ctx: Context): Promise<void> {
  const { options } = ctx;
  for (let round = 1; round <= options.rounds; round++) {
    for (const hooks of [1, 10]) {
      await ceiling(ctx, round, hooks);
      // Quick mode times steady delivery with ten webhooks only, to stay under two minutes.
      const withSteady = !options.quick || hooks === 10;
      for (const kind of options.stores) {
        for (const v of drainVariants()) await drain(ctx, round, kind, hooks, false, undefined, v);
        if (withSteady) {
          for (const v of variants()) {
            // On a machine loaded by other work the API may not push them all in time: that
            // run is logged and left out, and the others still run.
            await steady(ctx, round, kind, hooks, v).catch((err: unknown) =>
              ctx.log(`steady.${hooks}wh.${kind}${v.suffix} #${round} failed: ${String(err)}`),
            );
          }
        }
        if (hooks === 10) await drain(ctx, round, kind, hooks, true);
      }
      await bullmqDrain(ctx, round, hooks);
      if (withSteady) await bullmqSteady(ctx, round, hooks);
    }
  }
}

export async function ceiling(ctx: Context, round: number, hooks: number): Promise<void> {
  const count = ctx.options.events;
  const paths = Array.from({ length: hooks }, (_, i) => `/ceiling-${i}`);
  await ctx.receiver.reset();
  const receiverCpu = ctx.receiver.child.cpuMs();
  const clientCpu = ctx.ceilingClient.cpuMs();
  await ctx.ceilingClient.call(
    'blast',
    {
      origin: ctx.receiver.origin,
      paths,
      count,
      concurrency: concurrencyFor(hooks),
      timeoutMs: deadlineFor(count),
    },
    deadlineFor(count) + 5_000,
  );
  const stats = await ctx.receiver.waitFor(paths, count / hooks, 10_000);
  const rate = spanRate(stats);
  ctx.record(`ceiling.${hooks}wh`, round, {
    perSec: rate.perSec,
    ms: rate.ms,
    clientCpuUsPer: ((ctx.ceilingClient.cpuMs() - clientCpu) * 1000) / count,
    receiverCpuUsPer: ((ctx.receiver.child.cpuMs() - receiverCpu) * 1000) / count,
  });
}

/**
 * Backlog drain: the events are written into the store in one transaction while tablehooks
 * is idle, then timed from the first trigger received to the last. With `hang`, the first
 * webhook of ten points at a receiver that never answers, and only the healthy ones are
 * timed (scenario 4). The safety-net poll is 100 ms here so the idle dispatcher notices the
 * backlog at once (SQLite has no cross-process wake-up); it plays no part once it drains.
 */
export async function drain(
  ctx: Context,
  round: number,
  kind: StoreKind,
  hooks: number,
  hang = false,
  /** Webhook settings other than the defaults (scenario 8: ordering off); named in the id. */
  webhook?: { ordering: 'none' },
  variant: Variant = variants()[0]!,
): Promise<void> {
  const count = ctx.options.events;
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store, {
      env: { TABLEHOOKS_POLL_INTERVAL_MS: '100', ...variant.env },
      cpuProfileDir: ctx.options.cpuProfileDir,
      main: variant.main,
    });
    const hooked = await facilities(
      service,
      'drain',
      hooks,
      (i) => (hang && i === 0 ? ctx.hangingReceiver.origin : ctx.receiver.origin),
      webhook,
    );
    await ctx.receiver.reset();
    await ctx.hangingReceiver.reset();
    const cpu = service.cpuMs();
    const receiverCpu = ctx.receiver.child.cpuMs();
    await insertBacklog(store, hooked, count);
    const healthy = hooked.filter((_, i) => !(hang && i === 0)).map((h) => h.path);
    const stats = await ctx.receiver.waitFor(healthy, count / hooks, deadlineFor(count));
    const rate = spanRate(stats);
    const delivered = rate.count;
    const name = hang ? 'isolation' : webhook ? 'drain-unordered' : 'drain';
    ctx.record(`${name}.${hooks}wh.${kind}${variant.suffix}`, round, {
      perSec: rate.perSec,
      ms: rate.ms,
      cpuUsPer: ((service.cpuMs() - cpu) * 1000) / delivered,
      receiverCpuUsPer: ((ctx.receiver.child.cpuMs() - receiverCpu) * 1000) / delivered,
      rssMb: service.memoryMb().peak,
      duplicates: stats.reduce((n, s) => n + s.count - s.distinct, 0),
      badAuth: stats.reduce((n, s) => n + s.badAuth, 0),
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}

/** Events arrive through the API while tablehooks delivers: first request sent → last trigger. */
export async function steady(
  ctx: Context,
  round: number,
  kind: StoreKind,
  hooks: number,
  variant: Variant = variants()[0]!,
): Promise<void> {
  const count = ctx.options.steadyEvents;
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store, {
      cpuProfileDir: ctx.options.cpuProfileDir,
      main: variant.main,
    });
    const hooked = await facilities(service, 'steady', hooks, () => ctx.receiver.origin);
    // Warm-up, as the API and latency runs have: the same number of events (other ids) through
    // the same path, all delivered before the measured ones start. Without it this measured a
    // cold process, whose first seconds cost about twice the CPU per event.
    await ctx.receiver.reset();
    const paths = hooked.map((h) => h.path);
    const facilityIds = hooked.map((h) => h.facilityId);
    await pushEvents(service.url, facilityIds, count, 16, deadlineFor(count), undefined, count + 1);
    await ctx.receiver.waitFor(paths, count / hooks, deadlineFor(count));
    await ctx.receiver.reset();
    const cpu = service.cpuMs();
    const pushed = await pushEvents(service.url, facilityIds, count, 16, deadlineFor(count));
    const stats = await ctx.receiver.waitFor(paths, count / hooks, deadlineFor(count));
    const rate = spanRate(stats, pushed.start);
    ctx.record(`steady.${hooks}wh.${kind}${variant.suffix}`, round, {
      perSec: rate.perSec,
      ms: rate.ms,
      ingestPerSec: (count / (pushed.end - pushed.start)) * 1000,
      cpuUsPer: ((service.cpuMs() - cpu) * 1000) / count,
      failed: pushed.failed,
      duplicates: stats.reduce((n, s) => n + s.count - s.distinct, 0),
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}
