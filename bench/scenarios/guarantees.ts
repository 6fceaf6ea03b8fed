// Scenario 8: what the delivery guarantees cost, on and off in the same run.
// - The drain of scenario 2 (one webhook, a backlog of created bookings) with per-resource
//   ordering on (the default: every finished delivery's line is checked for a successor) and
//   off.
// - A burst of updates to a few bookings pushed through the API: with ordering and coalescing
//   (the defaults), ordering without coalescing, and neither — how many triggers it takes and
//   how long until every update was delivered or stood for.
import type { Context } from '../lib/context.js';
import { deadlineFor } from '../lib/limits.js';
import { pushEvents } from '../lib/load.js';
import { spanRate } from '../lib/receiver.js';
import { createStore, Service, type StoreKind } from '../lib/service.js';
import { facilities } from '../lib/setup.js';
import { drain } from './throughput.js';

export const UPDATE_MODES = {
  coalesced: {},
  ordered: { coalesce_updates: false },
  none: { coalesce_updates: false, ordering: 'none' },
} as const;

export async function guarantees(ctx: Context): Promise<void> {
  for (let round = 1; round <= ctx.options.rounds; round++) {
    for (const kind of ctx.options.stores) {
      await drain(ctx, round, kind, 1);
      await drain(ctx, round, kind, 1, false, { ordering: 'none' });
      for (const mode of Object.keys(UPDATE_MODES) as (keyof typeof UPDATE_MODES)[]) {
        await updates(ctx, round, kind, mode);
      }
    }
  }
}

async function updates(
  ctx: Context,
  round: number,
  kind: StoreKind,
  mode: keyof typeof UPDATE_MODES,
): Promise<void> {
  const count = ctx.options.steadyEvents;
  const resources = 20;
  const store = await createStore(kind);
  let service: Service | undefined;
  try {
    service = await Service.start(store, { cpuProfileDir: ctx.options.cpuProfileDir });
    const [hook] = await facilities(service, `updates-${mode}`, 1, () => ctx.receiver.origin, {
      events: ['booking_updated'],
      ...UPDATE_MODES[mode],
    });
    await ctx.receiver.reset();
    const cpu = service.cpuMs();
    const pushed = await pushEvents(
      service.url,
      [hook!.facilityId],
      count,
      16,
      deadlineFor(count),
      {
        resources,
      },
    );
    // Done when nothing of the webhook waits any more: every update was sent or stood for.
    const deadline = Date.now() + deadlineFor(count);
    for (;;) {
      const open = await queued(service, hook!.facilityId, hook!.apiKey, hook!.webhookId);
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`${open} deliveries still queued`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const stats = await ctx.receiver.waitFor([hook!.path], resources, 10_000);
    const rate = spanRate(stats, pushed.start);
    ctx.record(`updates.${mode}.${kind}`, round, {
      events: count,
      triggers: stats[0]!.count,
      ms: rate.ms,
      eventsPerSec: (count / rate.ms) * 1000,
      cpuUsPerEvent: ((service.cpuMs() - cpu) * 1000) / count,
    });
  } finally {
    await service?.stop();
    await store.drop();
  }
}

async function queued(service: Service, fid: string, key: string, wid: string): Promise<number> {
  let n = 0;
  for (const status of ['pending', 'blocked']) {
    const res = await fetch(
      new URL(
        `/v1/facility/${fid}/webhooks/${wid}/deliveries?status=${status}&limit=1`,
        service.url,
      ),
      { headers: { 'api-key': key } },
    );
    n += ((await res.json()) as { meta: { total_count: number } }).meta.total_count;
  }
  return n;
}
