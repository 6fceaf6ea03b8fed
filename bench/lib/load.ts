// Load through the public API: the operator's fast ingest (POST …/events) as fast as a fixed
// number of connections allow, and booking creations at a fixed rate.
import { Pool } from 'undici';
import { now } from './proc.js';
import { OPERATOR_KEY } from './service.js';

export interface Pushed {
  /** When the first request went out and the last answer came back (ms, epoch). */
  start: number;
  end: number;
  failed: number;
}

/**
 * `count` booking_created events, ids firstId…firstId + count - 1, dealt round-robin to the
 * facilities; or, with `updates`, that many resources' BOOKING_UPDATED events (event i is
 * about id i % resources + 1).
 */
export async function pushEvents(
  serviceUrl: string,
  facilityIds: string[],
  count: number,
  connections: number,
  timeoutMs: number,
  updates?: { resources: number },
  firstId = 1,
): Promise<Pushed> {
  const origin = new URL(serviceUrl).origin;
  const pool = new Pool(origin, { connections });
  const deadline = Date.now() + timeoutMs;
  let next = 0;
  let failed = 0;
  const start = now();
  const lane = async () => {
    while (next < count && Date.now() < deadline) {
      const i = next++;
      const facility = facilityIds[i % facilityIds.length]!;
      const res = await pool.request({
        path: `/v1/facility/${facility}/events`,
        method: 'POST',
        headers: { 'api-key': OPERATOR_KEY, 'content-type': 'application/json' },
        body: updates
          ? `{"id":${(i % updates.resources) + 1},"type":"booking","action":"BOOKING_UPDATED"}`
          : `{"id":${i + firstId},"type":"booking","action":"BOOKING_CREATED"}`,
      });
      await res.body.dump();
      if (res.statusCode !== 202) failed++;
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
  const end = now();
  await pool.close();
  if (next < count) throw new Error(`pushed only ${next} of ${count} events in ${timeoutMs} ms`);
  return { start, end, failed };
}

const MAX_OUTSTANDING = 256;

export interface Created {
  /** Booking id → when its request went out and when its 201 came back. */
  sent: Map<number, { sentAt: number; ackAt: number }>;
  failed: number;
  /** Requests not sent at all: 256 were already waiting on the service (it can't keep up). */
  shed: number;
  seconds: number;
}

/**
 * Open-loop booking creations at `rate` per second for `seconds`: request i goes out at
 * start + i/rate whatever happened to the earlier ones. When 256 are already waiting on the
 * service (it can't keep up), the request is dropped and counted as shed, so the run ends
 * on time and measures the service, not a queue in this client.
 */
export async function createBookingsAtRate(
  serviceUrl: string,
  facilityId: string,
  apiKey: string,
  rate: number,
  seconds: number,
): Promise<Created> {
  const origin = new URL(serviceUrl).origin;
  const pool = new Pool(origin, { connections: 64 });
  const total = Math.round(rate * seconds);
  const sent = new Map<number, { sentAt: number; ackAt: number }>();
  let failed = 0;
  let shed = 0;
  let outstanding = 0;
  const body = JSON.stringify({ num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Bench Guest' });
  const one = async () => {
    outstanding++;
    const sentAt = now();
    try {
      const res = await pool.request({
        path: `/v1/facility/${facilityId}/bookings`,
        method: 'POST',
        headers: { 'api-key': apiKey, 'content-type': 'application/json' },
        body,
      });
      const json = (await res.body.json()) as { id?: number };
      if (res.statusCode === 201 && typeof json.id === 'number') {
        sent.set(json.id, { sentAt, ackAt: now() });
      } else failed++;
    } catch {
      failed++;
    } finally {
      outstanding--;
    }
  };
  const start = now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (outstanding >= MAX_OUTSTANDING) {
      shed++;
      continue;
    }
    inFlight.push(one());
  }
  await Promise.all(inFlight);
  const elapsed = (now() - start) / 1000;
  await pool.close();
  return { sent, failed, shed, seconds: elapsed };
}
