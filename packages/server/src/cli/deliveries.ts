// `tablehooks deliveries list|resend`: the delivery log across webhooks, and `--follow` to
// watch attempts arrive like `tail -f`.
import { type Command, Option } from 'commander';
import { systemClock } from '../clock.js';
import type { Store } from '../db/dialect.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../db/schema.js';
import type { DeliveryOut } from '../deliveries/deliveries.schemas.js';
import { EVENTS, type EventName } from '../events/event-names.js';
import { type Rt, runtime } from './lazy.js';
import { parseInteger, parseTime } from './options.js';
import { table } from './output.js';

interface ListOptions {
  facility?: string;
  webhook?: string;
  status?: DeliveryStatus;
  event?: string;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
  follow?: boolean;
  interval: number;
}

export function deliveryTable(rows: readonly DeliveryOut[]): string {
  return table(rows, [
    ['ID', (d) => d.id],
    ['WEBHOOK', (d) => d.webhook_id],
    ['EVENT', (d) => d.event],
    ['RESOURCE', (d) => d.resource_id],
    ['STATUS', (d) => d.status],
    ['TRIES', (d) => d.attempt_count],
    ['LAST', (d) => d.last_status_code ?? d.last_error],
    ['CREATED', (d) => d.created_at],
  ]);
}

export function deliveryCommands(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('the delivery log: list, follow, retry now, resend');

  deliveries
    .command('list')
    .description('list deliveries, newest first; --follow streams new attempts instead')
    .option('--facility <id>', 'only this facility')
    .option('--webhook <id>', 'only this webhook')
    .addOption(
      new Option('--status <status>', 'only deliveries in this status').choices(DELIVERY_STATUSES),
    )
    .addOption(new Option('--event <event>', 'only this event').choices(EVENTS))
    .option(
      '--since <time>',
      'created at or after (ISO 8601, or 30m, 24h, 7d ago)',
      parseTime(systemClock.now),
    )
    .option('--until <time>', 'created at or before (same forms)', parseTime(systemClock.now))
    .option(
      '--limit <n>',
      'at most this many (with --follow: the last this many attempts, then new ones)',
      parseInteger(1, 500),
      50,
    )
    .option('--offset <n>', 'skip this many', parseInteger(0, 10_000_000), 0)
    .option('-f, --follow', 'print attempts as they are recorded, until Ctrl-C')
    .option('--interval <ms>', 'with --follow: how often to look', parseInteger(100, 60_000), 1000)
    .addHelpText(
      'after',
      `
With --follow, each line is one attempt (one JSON object per line with --json):
time, delivery, webhook, event, resource, HTTP status or error, duration, result.`,
    )
    .action(async (options: ListOptions, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async (ctx) => {
        const { store, deps, out } = ctx;
        const webhook = options.webhook
          ? await rt.webhookRef(store.db, options.webhook)
          : undefined;
        if (options.follow) {
          await rt.followAttempts(ctx, {
            filter: {
              facilityId: options.facility,
              webhookId: options.webhook,
              event: options.event,
            },
            backlog: options.limit,
            intervalMs: options.interval,
          });
          return;
        }
        // One webhook: exactly what the API lists. Otherwise the operator's view across all.
        const page = webhook
          ? await rt.deliveriesService(deps).list(webhook.facility_id, webhook.id, {
              limit: options.limit,
              offset: options.offset,
              status: options.status,
              event: options.event as EventName | undefined,
              since: isoOf(options.since),
              until: isoOf(options.until),
            })
          : await across(rt, store, options);
        out.result(
          page,
          () =>
            `${deliveryTable(page.objects)}(${page.objects.length} of ${page.meta.total_count})\n`,
        );
      });
    });

  deliveries
    .command('retry')
    .description('retry now: a delivery waiting for its next retry is sent at once')
    .argument('<delivery-id>', 'the delivery (msg_…)')
    .addHelpText(
      'after',
      `
Only a delivery waiting for a retry (pending after a failed attempt); its retry schedule goes
on from where it was. A finished one is sent again with \`deliveries resend\`; every waiting
delivery of a webhook with \`webhook retry <webhook-id>\`.`,
    )
    .action(async (id: string, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.deliveryRef(store.db, id);
        const d = await rt.deliveriesService(deps).retry(ref.facility_id, ref.webhook_id, id);
        out.result(
          d,
          () => `${d.id} is due now (${d.event} ${d.resource_id} to ${d.webhook_id})\n`,
        );
      });
    });

  deliveries
    .command('resend')
    .description('send a delivery again now: same webhook-id, a fresh retry cycle')
    .argument('<delivery-id>', 'the delivery (msg_…)')
    .action(async (id: string, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.deliveryRef(store.db, id);
        const d = await rt.deliveriesService(deps).resend(ref.facility_id, ref.webhook_id, id);
        out.result(
          d,
          () => `${d.id} is queued again (${d.event} ${d.resource_id} to ${d.webhook_id})\n`,
        );
      });
    });
}

const isoOf = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

async function across(rt: Rt, store: Store, o: ListOptions) {
  const { rows, total } = await rt.listDeliveriesAcross(
    store.db,
    { facilityId: o.facility, status: o.status, event: o.event, since: o.since, until: o.until },
    o.limit,
    o.offset,
  );
  return {
    objects: rows.map(rt.deliveryOut),
    meta: { limit: o.limit, offset: o.offset, total_count: total },
  };
}
