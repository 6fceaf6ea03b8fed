// A freshly started service runs its first thousand requests in V8's interpreter: a booking
// then costs ~10× the CPU it costs a few seconds later. API and latency runs are measured
// after this much load, not counted.
import autocannon from 'autocannon';

/** Answers how many bookings it created. */
export async function warmUp(
  serviceUrl: string,
  facilityId: string,
  apiKey: string,
  seconds: number,
): Promise<number> {
  if (seconds <= 0) return 0;
  const result = await autocannon({
    url: `${serviceUrl}v1/facility/${facilityId}/bookings`,
    method: 'POST',
    headers: { 'api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Warm-up Guest' }),
    connections: 16,
    duration: seconds,
  });
  return result['2xx'];
}
