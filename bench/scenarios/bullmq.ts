// Scenario 7: the baseline a user would build instead — BullMQ on the local Redis with an
// undici worker doing the same POST, measured like tablehooks on the same receiver.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Child } from '../lib/child.js';
import type { Context } from '../lib/context.js';
import { concurrencyFor, deadlineFor } from '../lib/limits.js';
import { now } from '../lib/proc.js';
import { spanRate } from '../lib/receiver.js';
import type { TriggerJob } from '../procs/bullmq-worker.js';

const REDIS = {
  host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_REDIS_PORT ?? 6379),
};

// What a careful user configures: retries with backoff over hours, bounded history.
const JOB_OPTIONS = {
  attempts: 9,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1_000,
  removeOnFail: 5_000,
} as const;

interface Setup {
  queue: Queue<TriggerJob>;
  worker: Child;
  paths: string[];
  jobs: (from: number, to: number) => { name: string; data: TriggerJob }[];
}

async function setUp(ctx: Context, hooks: number): Promise<Setup> {
  const name = `tablehooks-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const queue = new Queue<TriggerJob>(name, { connection: REDIS, defaultJobOptions: JOB_OPTIONS });
  const { child: worker } = await Child.start('bullmq-worker.ts', {
    queue: name,
    concurrency: concurrencyFor(hooks),
    redis: REDIS,
  });
  const paths = Array.from({ length: hooks }, (_, i) => `/bullmq-${i}`);
  const jobs = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const path = paths[i % hooks]!;
      return {
        name: 'booking_created',
        data: {
          url: `${ctx.receiver.origin}${path}`,
          id: i + 1,
          facility_id: path.slice(1),
          action: 'BOOKING_CREATED',
        },
      };
    });
  return { queue, worker, paths, jobs };
}

async function tearDown(s: Setup): Promise<void> {
  await s.worker.call('close', {}, 20_000).catch(() => undefined);
  await s.worker.stop();
  await s.queue.obliterate({ force: true });
  await s.queue.close();
}

/** Jobs enqueued first, then one worker drains them: first trigger → last. */
export async function bullmqDrain(ctx: Context, round: number, hooks: number): Promise<void> {
  const count = ctx.options.events;
  const s = await setUp(ctx, hooks);
  try {
    for (let from = 0; from < count; from += 1_000) {
      await s.queue.addBulk(s.jobs(from, Math.min(count, from + 1_000)));
    }
    await ctx.receiver.reset();
    const cpu = s.worker.cpuMs();
    await s.worker.call('run');
    const stats = await ctx.receiver.waitFor(s.paths, count / hooks, deadlineFor(count));
    const rate = spanRate(stats);
    ctx.record(`bullmq.drain.${hooks}wh`, round, {
      perSec: rate.perSec,
      ms: rate.ms,
      cpuUsPer: ((s.worker.cpuMs() - cpu) * 1000) / count,
    });
  } finally {
    await tearDown(s);
  }
}

/** The worker runs while jobs are added one by one (16 at a time), as an API would after each change. */
export async function bullmqSteady(ctx: Context, round: number, hooks: number): Promise<void> {
  const count = ctx.options.steadyEvents;
  const s = await setUp(ctx, hooks);
  try {
    await ctx.receiver.reset();
    await s.worker.call('run');
    // Warm-up, as tablehooks' steady run has: as many jobs again (other ids), all delivered
    // before the measured ones are added.
    await addOneByOne(s, s.jobs(count, 2 * count), deadlineFor(count));
    await ctx.receiver.waitFor(s.paths, count / hooks, deadlineFor(count));
    await ctx.receiver.reset();
    const start = now();
    await addOneByOne(s, s.jobs(0, count), deadlineFor(count));
    const added = now();
    const stats = await ctx.receiver.waitFor(s.paths, count / hooks, deadlineFor(count));
    const rate = spanRate(stats, start);
    ctx.record(`bullmq.steady.${hooks}wh`, round, {
      perSec: rate.perSec,
      ms: rate.ms,
      ingestPerSec: (count / (added - start)) * 1000,
    });
  } finally {
    await tearDown(s);
  }
}

async function addOneByOne(
  s: Setup,
  all: { name: string; data: TriggerJob }[],
  timeoutMs: number,
): Promise<void> {
  let next = 0;
  const deadline = Date.now() + timeoutMs;
  const lane = async () => {
    while (next < all.length && Date.now() < deadline) {
      const job = all[next++]!;
      await s.queue.add(job.name, job.data);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}
