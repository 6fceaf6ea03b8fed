// `tablehooks recover --since`: send again every failed delivery created in a time range, of
// every webhook, one facility's, or one webhook's. Works through the deliveries service in
// windows of --batch-size, so thousands of deliveries are many short transactions, with
// progress on stderr.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { AppError } from '../errors.js';
import type { CliContext } from './context.js';
import { usageError } from './errors.js';
import { type Rt, runtime } from './lazy.js';
import { parseInteger, parseTime } from './options.js';
import { table } from './output.js';

const iso = (ms: number) => new Date(ms).toISOString();

interface RecoverOptions {
  since: number;
  until?: number;
  facility?: string;
  webhook?: string;
  batchSize: number;
}

interface WebhookResult {
  webhook_id: string;
  facility_id: string;
  failed: number;
  recovered: number;
  skipped?: string;
}

export function recoverCommand(program: Command): void {
  program
    .command('recover')
    .description('send again every failed delivery created since a time')
    .requiredOption(
      '--since <time>',
      'created at or after (ISO 8601, or 30m, 24h, 7d ago)',
      parseTime(systemClock.now),
    )
    .option(
      '--until <time>',
      'created at or before (same forms; default: now)',
      parseTime(systemClock.now),
    )
    .option('--facility <id>', "only this facility's webhooks")
    .option('--webhook <id>', 'only this webhook')
    .option('--batch-size <n>', 'deliveries per transaction', parseInteger(1, 10_000), 1000)
    .addHelpText(
      'after',
      `
Disabled webhooks, and those of facilities not on the premium plan, are skipped (named in
the summary); with --webhook such a webhook is an error (exit 4). Deliveries keep their id
(the webhook-id header) and start a fresh retry cycle. Deliveries in the range still waiting
for a retry are tried now as well (as the API's recover does).`,
    )
    .action(async (options: RecoverOptions, command: Command) => {
      if (options.until !== undefined && options.until < options.since) {
        throw usageError('--until is before --since');
      }
      // A fixed end, so the count shown up front is what gets sent.
      options.until ??= systemClock.now();
      const rt = await runtime();
      await rt.withContext(command, async (ctx) => {
        const targets = options.webhook
          ? [await rt.webhookRef(ctx.store.db, options.webhook)]
          : await rt.webhooksOf(ctx.store.db, options.facility);
        const results = await recoverAll(rt, ctx, targets, options);
        const total = results.reduce((n, r) => n + r.recovered, 0);
        const summary = {
          since: iso(options.since),
          until: options.until === undefined ? null : iso(options.until),
          recovered: total,
          webhooks: results,
        };
        ctx.out.result(summary, () => {
          const shown = results.filter((r) => r.failed > 0 || r.skipped);
          return `${
            shown.length > 0
              ? table(shown, [
                  ['WEBHOOK', (r) => r.webhook_id],
                  ['FACILITY', (r) => r.facility_id],
                  ['FAILED', (r) => r.failed],
                  ['RECOVERED', (r) => r.recovered],
                  ['NOTE', (r) => r.skipped],
                ])
              : ''
          }${total} deliveries queued again\n`;
        });
      });
    });
}

async function recoverAll(
  rt: Rt,
  ctx: CliContext,
  targets: { id: string; facility_id: string }[],
  o: RecoverOptions,
): Promise<WebhookResult[]> {
  const db = ctx.store.db;
  const counted = [];
  for (const t of targets)
    counted.push({ ...t, failed: await rt.countFailed(db, t.id, o.since, o.until) });
  const grandTotal = counted.reduce((n, t) => n + t.failed, 0);
  const progress = ctx.out.progress('recover');
  if (grandTotal > 0) progress.update(0, grandTotal);
  let done = 0;
  const results: WebhookResult[] = [];
  for (const t of counted) {
    const result: WebhookResult = {
      webhook_id: t.id,
      facility_id: t.facility_id,
      failed: t.failed,
      recovered: 0,
    };
    results.push(result);
    if (t.failed === 0) continue;
    try {
      result.recovered = await recoverWebhook(rt, ctx, t, o, (n) => {
        done += n;
        progress.update(done, grandTotal);
      });
    } catch (err) {
      // One inactive webhook among many is a note; the one webhook asked for is an error.
      if (o.webhook || !(err instanceof AppError) || (err.status !== 403 && err.status !== 409))
        throw err;
      result.skipped = err.message;
    }
  }
  progress.end();
  return results;
}

async function recoverWebhook(
  rt: Rt,
  ctx: CliContext,
  t: { id: string; facility_id: string },
  o: RecoverOptions,
  advanced: (n: number) => void,
): Promise<number> {
  const service = rt.deliveriesService(ctx.deps);
  let from = o.since;
  let recovered = 0;
  for (;;) {
    // Windows are inclusive at both ends; a delivery on a boundary is already queued (not
    // failed) by the time the next window runs, so nothing is sent twice.
    const end = await rt.windowEnd(ctx.store.db, t.id, from, o.until, o.batchSize);
    const until = end ?? o.until;
    const { recovered: n } = await service.recover(
      t.facility_id,
      t.id,
      iso(from),
      until === undefined ? undefined : iso(until),
    );
    recovered += n;
    advanced(n);
    if (end === undefined || n === 0) return recovered;
    from = end;
  }
}
