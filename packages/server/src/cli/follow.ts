// `deliveries list --follow`: prints the last attempts (--limit of them), then each new one as
// it is recorded, until SIGINT/SIGTERM. Polls by primary key. Ids are handed out before
// commit, so a slow transaction can land below the highest id already seen: a window of
// recent ids is read again each time and lines already printed are skipped. What was already
// recorded when following began is history: only the last --limit of it is shown.
import type { CliContext } from './context.js';
import {
  type AttemptFilter,
  type AttemptLine,
  attemptsAfter,
  highestAttemptId,
  lastAttempts,
} from './sql/attempts.js';

const LOOKBACK = 500;
const PAGE = 1000;

export interface FollowOptions {
  filter: AttemptFilter;
  backlog: number;
  intervalMs: number;
}

function line(a: AttemptLine): string {
  const result = a.status_code !== null ? String(a.status_code) : (a.error_class ?? '-');
  return [
    new Date(a.started_at).toISOString(),
    a.delivery_id,
    a.webhook_id,
    a.event,
    String(a.resource_id),
    result.padEnd(7),
    `${a.duration_ms}ms`.padStart(7),
    a.success ? 'ok' : 'failed',
    a.trigger === 'scheduled' ? '' : a.trigger,
  ]
    .join('  ')
    .trimEnd();
}

function json(a: AttemptLine) {
  return {
    attempt_id: a.id,
    started_at: new Date(a.started_at).toISOString(),
    delivery_id: a.delivery_id,
    webhook_id: a.webhook_id,
    facility_id: a.facility_id,
    event: a.event,
    resource_id: a.resource_id,
    status_code: a.status_code,
    error_class: a.error_class,
    duration_ms: a.duration_ms,
    success: a.success === 1,
    trigger: a.trigger,
  };
}

export async function followAttempts(ctx: CliContext, o: FollowOptions): Promise<void> {
  const db = ctx.store.db;
  const print = (a: AttemptLine) =>
    process.stdout.write(`${ctx.out.json ? JSON.stringify(json(a)) : line(a)}\n`);
  const seen = new Set<number>();
  let highest = 0;
  const show = (rows: AttemptLine[]) => {
    for (const a of rows) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      highest = Math.max(highest, a.id);
      print(a);
    }
    for (const id of seen) if (id <= highest - LOOKBACK) seen.delete(id);
  };

  // Read before the backlog, so an attempt recorded in between is shown as new, not lost.
  const start = await highestAttemptId(db);
  show(await lastAttempts(db, o.filter, o.backlog));
  // The rest of the recent history counts as seen without being printed: the window read
  // again below would otherwise replay up to LOOKBACK older attempts as if they were new.
  for (let after = Math.max(0, start - LOOKBACK); ; ) {
    const rows = await attemptsAfter(db, o.filter, after, PAGE);
    for (const a of rows) if (a.id <= start) seen.add(a.id);
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
  highest = Math.max(highest, start);
  ctx.out.note('following new attempts (Ctrl-C to stop)');
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stopping) {
      for (;;) {
        const rows = await attemptsAfter(db, o.filter, Math.max(0, highest - LOOKBACK), PAGE);
        show(rows);
        if (rows.length < PAGE) break;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, o.intervalMs)))]);
      clearTimeout(timer);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
