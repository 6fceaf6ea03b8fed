// The baseline a user would build instead: a BullMQ worker on the local Redis, POSTing each
// job's trigger with undici (an Agent kept alive, like tablehooks' sender), failing the job
// on a non-2xx so that BullMQ retries it.
import { Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { childArgs, serveCalls } from '../lib/child.js';
import { AUTHORIZATION } from '../lib/receiver.js';

interface Args {
  queue: string;
  concurrency: number;
  redis: { host: string; port: number };
}

export interface TriggerJob {
  url: string;
  id: number;
  facility_id: string;
  action: string;
}

const args = childArgs<Args>();
const agent = new Agent({ keepAliveTimeout: 30_000, connections: null });

const worker = new Worker<TriggerJob>(
  args.queue,
  async (job) => {
    const { url, id, facility_id, action } = job.data;
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        authorization: AUTHORIZATION,
        'user-agent': 'bench-bullmq/1',
        'webhook-id': job.id ?? '',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: `{"id": ${id}, "facility_id": ${JSON.stringify(facility_id)}, "action": ${JSON.stringify(action)}}`,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
  },
  { connection: args.redis, concurrency: args.concurrency, autorun: false },
);

serveCalls(
  {
    run: () => {
      void worker.run();
      return true;
    },
    close: async () => {
      await worker.close();
      await agent.close();
      return true;
    },
  },
  {},
);
