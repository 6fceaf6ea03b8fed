// The ceiling: a bare undici Pool POSTing the tablehooks wire format (same body shape,
// Basic Auth and technical headers, no storage, no signing work) as fast as it can at a
// given concurrency, in its own process.
import { Pool } from 'undici';
import { childArgs, serveCalls } from '../lib/child.js';
import { AUTHORIZATION } from '../lib/receiver.js';

interface Run {
  origin: string;
  paths: string[];
  count: number;
  concurrency: number;
  pipelining?: number;
  timeoutMs: number;
}

// The same length as a real signature header; computing it is the dispatcher's work, not the wire's.
const SIGNATURE = `v1,${Buffer.alloc(32, 1).toString('base64')}`;

async function blast(r: Run): Promise<{ sent: number; failed: number; ms: number }> {
  const pool = new Pool(r.origin, { connections: r.concurrency, pipelining: r.pipelining ?? 1 });
  const deadline = Date.now() + r.timeoutMs;
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  const one = async (i: number) => {
    const path = r.paths[i % r.paths.length]!;
    const body = `{"id": ${i + 1}, "facility_id": "${path.slice(1)}", "action": "BOOKING_CREATED"}`;
    const res = await pool.request({
      origin: r.origin,
      path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: AUTHORIZATION,
        'user-agent': 'tablehooks/0.1.0',
        'webhook-id': `msg_${String(i).padStart(16, '0')}`,
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': SIGNATURE,
      },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) failed++;
  };
  const lane = async () => {
    while (next < r.count && Date.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: r.concurrency }, lane));
  const ms = performance.now() - t0;
  await pool.close();
  return { sent: next, failed, ms };
}

childArgs();
serveCalls({ blast: (r: Run) => blast(r) }, {});
