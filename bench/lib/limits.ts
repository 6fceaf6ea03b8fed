// tablehooks' default delivery limits, which every scenario and baseline runs at.

/** In flight per webhook (TABLEHOOKS_WEBHOOK_CONCURRENCY) and in all (TABLEHOOKS_CONCURRENCY). */
export const PER_WEBHOOK = 8;
export const GLOBAL = 256;

/** The concurrency tablehooks can use with `hooks` busy webhooks; the ceiling and BullMQ use the same. */
export function concurrencyFor(hooks: number): number {
  return Math.min(GLOBAL, PER_WEBHOOK * hooks);
}

/** Long enough for 100 deliveries a second, and then some: a stuck run fails, it doesn't hang. */
export function deadlineFor(count: number): number {
  return 30_000 + count * 10;
}
