// The queue as the store sees it, for the gauges: one cheap query set per scrape, shared by
// the gauges that read it (prom-client collects them in parallel). Pending deliveries are
// counted on the deliveries_due partial index; the webhooks table is small.
import type { Clock } from '../clock.js';
import type { Store } from '../db/dialect.js';
import type { Logger } from '../logger.js';

export interface QueueSnapshot {
  pending: number;
  oldestDueAgeSeconds: number;
  webhooksDisabled: number;
}

// A slow database must not hang the scrape: the last values are served instead.
const DEADLINE_MS = 2_500;
// Gauges of one scrape ask within milliseconds of each other.
const REUSE_MS = 1_000;

async function read(store: Pick<Store, 'db'>, clock: Clock): Promise<QueueSnapshot> {
  const [queue, disabled] = await Promise.all([
    store.db
      .selectFrom('deliveries')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.min('next_attempt_at').as('first_due'),
      ])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow(),
    store.db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('enabled', '=', 0)
      .executeTakeFirstOrThrow(),
  ]);
  // A claimed delivery's next_attempt_at is its lease's end, in the future: only work that
  // nobody holds and that is past due counts as waiting.
  const firstDue = queue.first_due === null ? undefined : Number(queue.first_due);
  const now = clock.now();
  return {
    pending: Number(queue.n),
    oldestDueAgeSeconds: firstDue !== undefined && firstDue < now ? (now - firstDue) / 1000 : 0,
    webhooksDisabled: Number(disabled.n),
  };
}

export function queueSnapshots(
  store: Pick<Store, 'db'>,
  clock: Clock,
  logger: Logger,
): () => Promise<QueueSnapshot> {
  let last: QueueSnapshot = { pending: 0, oldestDueAgeSeconds: 0, webhooksDisabled: 0 };
  let current: { at: number; value: Promise<QueueSnapshot> } | undefined;
  return () => {
    const at = Date.now();
    if (current && at - current.at < REUSE_MS) return current.value;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${DEADLINE_MS} ms`)), DEADLINE_MS);
    });
    const value = Promise.race([read(store, clock), deadline])
      .then((s) => {
        last = s;
        return s;
      })
      .catch((err: unknown) => {
        logger.warn({ err }, 'metrics: reading the queue failed; serving the last values');
        return last;
      })
      .finally(() => clearTimeout(timer));
    current = { at, value };
    return value;
  };
}
