// Scenario 6: booking creations per second through the HTTP API (autocannon, 32
// connections), each one a booking, its event and its delivery in one transaction, with the
// dispatcher delivering them in the same process (TABLEHOOKS_ROLE=all, as in embedded mode),
// measured after a warm-up (lib/warmup.ts).
import autocannon from 'autocannon';
import type { Context } from '../lib/context.js';
import { deadlineFor } from '../lib/limits.js';
import { createStore, Service, type StoreKind, variants } from '../lib/service.js';
import { facilityWithWebhook } from '../lib/setup.js';
import { warmUp } from '../lib/warmup.js';

const CONNECTIONS = 32;

export async function api(ctx: Context): Promise<void> {
  for (const kind of ctx.options.stores) {
    const builds = variants();
    // With a base build, each runs once first and once second (this, base; then base, this):
    // the second service of a pair measured ~10% more bookings/s whichever build it was.
    const rounds = builds.length > 1 ? [builds, [...builds].reverse()] : [builds];
    for (const [i, round] of rounds.entries()) {
      for (const v of round) await bookings(ctx, kind, v.main, v.suffix, i + 1);
    }
  }
}

async function bookings(
  ctx: Context,
  kind: StoreKind,
  main: string,
  suffix: string,
  round: number,
): Promise<void> {
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store, { cpuProfileDir: ctx.options.cpuProfileDir, main });
    const hook = await facilityWithWebhook(service, 'api', ctx.receiver.origin);
    await ctx.receiver.reset();
    const warm = await warmUp(service.url, hook.facilityId, hook.apiKey, ctx.options.warmupSeconds);
    // The warm-up's deliveries are sent before the measurement starts, not during it (they
    // took a core for the measurement's first second or two).
    await ctx.receiver.waitFor([hook.path], warm, deadlineFor(warm));
    await ctx.receiver.reset();
    const cpu = service.cpuMs();
    const result = await autocannon({
      url: `${service.url}v1/facility/${hook.facilityId}/bookings`,
      method: 'POST',
      headers: { 'api-key': hook.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Bench Guest' }),
      connections: CONNECTIONS,
      duration: ctx.options.apiSeconds,
    });
    const created = result['2xx'];
    ctx.record(`api.${kind}${suffix}`, round, {
      perSec: created / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      cpuUsPer: ((service.cpuMs() - cpu) * 1000) / Math.max(1, created),
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}
