// `tablehooks webhook list|show|settings|disable|enable|retry` and `tablehooks health`: the
// operator's view of every facility's webhooks, through the same service as the API, in the
// same words (a webhook's health summary is the API's).
import { type Command, Option } from 'commander';
import type { WebhookOut } from '../webhooks/webhooks.schemas.js';
import type { CliContext } from './context.js';
import { type Rt, runtime } from './lazy.js';
import { parseInteger, parseSwitch } from './options.js';
import { keyValues, table } from './output.js';

const STATES = ['enabled', 'disabled', 'paused'] as const;
const HEALTH = ['failing', 'disabled', 'new', 'healthy'] as const;
const SETTING_KEYS = ['ordering', 'coalesce updates', 'supersede on delete', 'max age hours'];

interface SettingsOptions {
  ordering?: 'per_resource' | 'none';
  coalesceUpdates?: boolean;
  supersedeOnDelete?: boolean;
  maxAgeHours?: number | 'none';
}
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
    ['ordering', w.ordering],
    ['coalesce updates', w.coalesce_updates ? 'on' : 'off'],
    ['supersede on delete', w.supersede_on_delete ? 'on' : 'off'],
    ['max age hours', w.max_age_hours ?? 'none'],
    ['health', w.health.summary],
    ['disabled reason', w.disabled_reason],
    ['failing since', w.failing_since],
    ['failed attempts', w.health.failed_attempts || null],
    ['last error', w.health.last_error],
    ['next try', w.health.next_attempt_at],
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
    .description('list, inspect, disable, enable and retry webhooks');

  webhook
    .command('list')
    .description('list webhooks of every facility, or of one, with their health')
    .option('--facility <id>', 'only this facility')
    .addOption(new Option('--state <state>', 'only webhooks in this state').choices(STATES))
    .addOption(new Option('--health <health>', 'only webhooks this healthy').choices(HEALTH))
    .action(
      async (options: { facility?: string; state?: string; health?: string }, command: Command) => {
        const rt = await runtime();
        await rt.withContext(command, async (ctx) => {
          const all = await allWebhooks(rt, ctx, options.facility);
          const rows = all.filter(
            (w) =>
              (!options.state || w.state === options.state) &&
              (!options.health || w.health.state === options.health),
          );
          ctx.out.result(rows, () =>
            table(rows, [
              ['ID', (w) => w.id],
              ['FACILITY', (w) => w.facility_id],
              ['STATE', (w) => w.state],
              ['EVENTS', (w) => w.events.length],
              ['URL', (w) => w.url],
              ['HEALTH', (w) => w.health.summary],
            ]),
          );
        });
      },
    );

  program
    .command('health')
    .description("every webhook that isn't healthy, failing first, in the UI's words")
    .option('--facility <id>', 'only this facility')
    .option('--all', 'healthy webhooks too')
    .addHelpText(
      'after',
      `
Exit code 0 when every enabled webhook is healthy or new, 1 when one is failing (for a cron job
or a monitoring check); disabled webhooks are listed but don't fail the check.`,
    )
    .action(async (options: { facility?: string; all?: boolean }, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async (ctx) => {
        const all = await allWebhooks(rt, ctx, options.facility);
        const rank = (w: WebhookOut) => HEALTH.indexOf(w.health.state);
        const rows = all
          .filter((w) => options.all || w.health.state !== 'healthy')
          .sort((a, b) => rank(a) - rank(b));
        ctx.out.result(
          rows.map((w) => ({
            webhook_id: w.id,
            facility_id: w.facility_id,
            url: w.url,
            health: w.health,
          })),
          () =>
            rows.length === 0
              ? `all ${all.length} webhooks are healthy\n`
              : table(rows, [
                  ['ID', (w) => w.id],
                  ['FACILITY', (w) => w.facility_id],
                  ['HEALTH', (w) => w.health.summary],
                ]),
        );
        if (all.some((w) => w.health.state === 'failing')) process.exitCode = 1;
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

  webhook
    .command('settings')
    .description("show or change a webhook's delivery guarantees (docs/delivery-guarantees.md)")
    .argument('<webhook-id>', 'the webhook (wh_…)')
    .addOption(
      new Option(
        '--ordering <ordering>',
        "one resource's triggers in event order, or none",
      ).choices(['per_resource', 'none']),
    )
    .option(
      '--coalesce-updates <on|off>',
      'a waiting *_UPDATED stands for newer updates of the same resource',
      parseSwitch,
    )
    .option(
      '--supersede-on-delete <on|off>',
      "a *_DELETED makes the resource's waiting created/updated triggers superseded",
      parseSwitch,
    )
    .option(
      '--max-age-hours <hours|none>',
      'no retry for a trigger older than this; none: the retry schedule decides',
      // 'none' rather than null: commander treats a parser's null as "no value".
      (raw: string): number | 'none' =>
        raw.trim() === 'none' ? 'none' : parseInteger(1, 8760)(raw),
    )
    .action(async (id: string, options: SettingsOptions, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.webhookRef(store.db, id);
        const service = rt.webhooksService(deps);
        const changes = {
          ...(options.ordering ? { ordering: options.ordering } : {}),
          ...(options.coalesceUpdates !== undefined
            ? { coalesce_updates: options.coalesceUpdates }
            : {}),
          ...(options.supersedeOnDelete !== undefined
            ? { supersede_on_delete: options.supersedeOnDelete }
            : {}),
          ...(options.maxAgeHours !== undefined
            ? { max_age_hours: options.maxAgeHours === 'none' ? null : options.maxAgeHours }
            : {}),
        };
        const w =
          Object.keys(changes).length > 0
            ? await service.update(ref.facility_id, id, changes)
            : await service.get(ref.facility_id, id);
        const settings = {
          ordering: w.ordering,
          coalesce_updates: w.coalesce_updates,
          supersede_on_delete: w.supersede_on_delete,
          max_age_hours: w.max_age_hours,
        };
        out.result(settings, () =>
          keyValues(describe(w).filter(([k]) => SETTING_KEYS.includes(k as never))),
        );
      });
    });

  webhook
    .command('retry')
    .description(
      'retry now: every delivery of a webhook waiting for its next retry is sent at once',
    )
    .argument('<webhook-id>', 'the webhook (wh_…)')
    .addHelpText(
      'after',
      `
After fixing the receiver. Each booking's or order's triggers still go out in order. Failed
deliveries are sent again with \`tablehooks recover\`.`,
    )
    .action(async (id: string, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.webhookRef(store.db, id);
        const result = await rt.deliveriesService(deps).retryAll(ref.facility_id, id);
        out.result(result, () =>
          result.retried === 0
            ? `no delivery of ${id} is waiting for a retry\n`
            : `${result.retried} ${result.retried === 1 ? 'delivery' : 'deliveries'} of ${id} due now\n`,
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
