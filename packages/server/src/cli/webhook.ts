// `tablehooks webhook list|show|disable|enable`: the operator's view of every facility's
// webhooks, through the same service as the API.
import { type Command, Option } from 'commander';
import type { WebhookOut } from '../webhooks/webhooks.schemas.js';
import type { CliContext } from './context.js';
import { type Rt, runtime } from './lazy.js';
import { keyValues, table } from './output.js';

const STATES = ['enabled', 'disabled', 'paused'] as const;
const PAGE = 500;

async function allWebhooks(
  rt: Rt,
  ctx: CliContext,
  facilityId: string | undefined,
): Promise<WebhookOut[]> {
  const service = rt.webhooksService(ctx.deps);
  const facilities = facilityId ? [facilityId] : await allFacilityIds(rt, ctx);
  const out: WebhookOut[] = [];
  for (const id of facilities) {
    for (let offset = 0; ; offset += PAGE) {
      const page = await service.list(id, PAGE, offset);
      out.push(...page.objects);
      if (page.objects.length < PAGE) break;
    }
  }
  return out;
}

async function allFacilityIds(rt: Rt, ctx: CliContext): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await rt.facilitiesService(ctx.deps).list(PAGE, offset);
    ids.push(...page.objects.map((f) => f.id));
    if (page.objects.length < PAGE) return ids;
  }
}

function describe(w: WebhookOut): [string, unknown][] {
  return [
    ['id', w.id],
    ['facility', w.facility_id],
    ['state', w.state],
    ['url', w.url],
    ['username', w.username],
    ['events', w.events],
    ['description', w.description],
    ['disabled reason', w.disabled_reason],
    ['failing since', w.failing_since],
    [
      'last delivery',
      w.last_delivery
        ? `${w.last_delivery.status} ${w.last_delivery.status_code ?? ''} at ${w.last_delivery.at}`
        : null,
    ],
  ];
}

export function webhookCommands(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('list, inspect, disable and enable webhooks');

  webhook
    .command('list')
    .description('list webhooks of every facility, or of one')
    .option('--facility <id>', 'only this facility')
    .addOption(new Option('--state <state>', 'only webhooks in this state').choices(STATES))
    .action(async (options: { facility?: string; state?: string }, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async (ctx) => {
        const all = await allWebhooks(rt, ctx, options.facility);
        const rows = options.state ? all.filter((w) => w.state === options.state) : all;
        ctx.out.result(rows, () =>
          table(rows, [
            ['ID', (w) => w.id],
            ['FACILITY', (w) => w.facility_id],
            ['STATE', (w) => w.state],
            [
              'LAST',
              (w) =>
                w.last_delivery
                  ? `${w.last_delivery.status} ${w.last_delivery.status_code ?? ''}`.trim()
                  : null,
            ],
            ['EVENTS', (w) => w.events.length],
            ['URL', (w) => w.url],
          ]),
        );
      });
    });

  webhook
    .command('show')
    .description('one webhook, with its deliveries counted by status')
    .argument('<webhook-id>', 'the webhook (wh_…)')
    .action(async (id: string, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.webhookRef(store.db, id);
        const w = await rt.webhooksService(deps).get(ref.facility_id, id);
        const deliveries = await rt.deliveryCounts(store.db, id);
        out.result({ ...w, deliveries }, () =>
          keyValues([
            ...describe(w),
            [
              'deliveries',
              Object.entries(deliveries)
                .map(([s, n]) => `${n} ${s}`)
                .join(', '),
            ],
          ]),
        );
      });
    });

  for (const enabled of [false, true]) {
    webhook
      .command(enabled ? 'enable' : 'disable')
      .description(
        enabled
          ? 'enable a webhook; its held deliveries are sent now'
          : 'disable a webhook; its pending deliveries are held until it is enabled',
      )
      .argument('<webhook-id>', 'the webhook (wh_…)')
      .action(async (id: string, _options, command: Command) => {
        const rt = await runtime();
        await rt.withContext(command, async ({ deps, store, out }) => {
          const ref = await rt.webhookRef(store.db, id);
          const w = await rt.webhooksService(deps).update(ref.facility_id, id, { enabled });
          out.result(
            w,
            () => `${w.id} is ${w.state}${w.disabled_reason ? ` (${w.disabled_reason})` : ''}\n`,
          );
        });
      });
  }
}
