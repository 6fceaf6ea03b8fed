// Scenario 3: bookings created through the API at a fixed rate; for each, the time from its
// request going out to its trigger arriving at the receiver. The commit happens between the
// request and its 201, so "from request" is an upper bound of commit → trigger and "from
// 201" a lower one (it can be negative: the trigger may beat the answer back).
import type { Context } from '../lib/context.js';
import { deadlineFor } from '../lib/limits.js';
import { createBookingsAtRate } from '../lib/load.js';
import { createStore, Service, type StoreKind, variants } from '../lib/service.js';
import { facilityWithWebhook } from '../lib/setup.js';
import { distribution } from '../lib/stats.js';
import { warmUp } from '../lib/warmup.js';

/** Events in the first second are not counted either (connection set-up). */
const WARMUP_MS = 1_000;

export async function latency(ctx: Context): Promise<void> {
  for (const kind of ctx.options.stores) {
    for (const rate of ctx.options.latencyRates) {
      // Every round of this build (the target holds in each, not only in the median); the
      // base build in the first two, once after this build and once before it: the first
      // service of a pair measured the higher p99 whichever build it was (docs/performance.md,
      // seventh pass), as the API's first measured fewer bookings/s.
      for (let round = 1; round <= ctx.options.rounds; round++) {
        const builds = variants().filter((v) => round <= 2 || v.suffix === '');
        if (round === 2) builds.reverse();
        for (const v of builds) await atRate(ctx, kind, rate, v.main, v.suffix, round);
      }
    }
  }
}

async function atRate(
  ctx: Context,
  kind: StoreKind,
  rate: number,
  main: string,
  suffix: string,
  round: number,
): Promise<void> {
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store, { cpuProfileDir: ctx.options.cpuProfileDir, main });
    const hook = await facilityWithWebhook(service, 'latency', ctx.receiver.origin);
    // Every round's webhook posts to the same path: without this, the receiver still held
    // the last round's triggers, the wait below returned at once, and the measured bookings
    // queued behind the warm-up's unsent thousands (the "stalls" of up to 1.6 s at 200/s in
    // rounds 2 and later, docs/performance.md).
    await ctx.receiver.reset();
    const warm = await warmUp(service.url, hook.facilityId, hook.apiKey, ctx.options.warmupSeconds);
    // Let the warm-up's deliveries drain, so they don't queue ahead of the measured ones.
    await ctx.receiver.waitFor([hook.path], warm, deadlineFor(warm));
    await ctx.receiver.reset(true);
    const created = await createBookingsAtRate(
      service.url,
      hook.facilityId,
      hook.apiKey,
      rate,
      ctx.options.latencySeconds,
    );
    await ctx.receiver.waitFor([hook.path], created.sent.size, deadlineFor(created.sent.size));
    const { ids, times } = await ctx.receiver.arrivals(hook.path);
    const first = Math.min(...[...created.sent.values()].map((s) => s.sentAt));
    const fromRequest: number[] = [];
    const fromAck: number[] = [];
    ids.forEach((id, i) => {
      const s = created.sent.get(id);
      if (!s || s.sentAt < first + WARMUP_MS) return;
      fromRequest.push(times[i]! - s.sentAt);
      fromAck.push(times[i]! - s.ackAt);
    });
    const d = distribution(fromRequest);
    const a = distribution(fromAck);
    const api = distribution([...created.sent.values()].map((s) => s.ackAt - s.sentAt));
    ctx.record(`latency.${rate}.${kind}${suffix}`, round, {
      count: d.count,
      achievedPerSec: created.sent.size / created.seconds,
      p50: d.p50,
      p95: d.p95,
      p99: d.p99,
      max: d.max,
      ackP50: a.p50,
      ackP99: a.p99,
      apiP50: api.p50,
      apiP99: api.p99,
      shed: created.shed,
      failed: created.failed,
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}
