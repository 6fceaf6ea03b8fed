// Successes and failures per hour over the last 24 hours: a hand-drawn SVG bar chart.
import type { Delivery } from '../types';
import { isRetrying } from './delivery-status';

const HOUR = 3_600_000;
const W = 480;
const H = 120;
const PAD = 4;

export interface Bucket {
  start: number;
  ok: number;
  failed: number;
}

/** 24 hourly buckets ending with the current hour; retrying counts as failing. */
export function bucketize(deliveries: Delivery[], now = Date.now()): Bucket[] {
  const end = Math.floor(now / HOUR) * HOUR + HOUR;
  const start = end - 24 * HOUR;
  const buckets: Bucket[] = Array.from({ length: 24 }, (_, i) => ({
    start: start + i * HOUR,
    ok: 0,
    failed: 0,
  }));
  for (const d of deliveries) {
    const t = new Date(d.created_at).getTime();
    const bucket = buckets[Math.floor((t - start) / HOUR)];
    if (!bucket) continue;
    if (d.status === 'succeeded') bucket.ok++;
    else if (d.status === 'failed' || isRetrying(d)) bucket.failed++;
  }
  return buckets;
}

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function DeliveryChart({
  deliveries,
  partial,
}: {
  deliveries: Delivery[];
  partial: boolean;
}) {
  const buckets = bucketize(deliveries);
  const ok = buckets.reduce((n, b) => n + b.ok, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const max = Math.max(1, ...buckets.map((b) => b.ok + b.failed));
  const slot = W / buckets.length;
  const scale = (n: number) => (n / max) * (H - PAD);
  const summary = `Deliveries in the last 24 hours: ${ok} succeeded, ${failed} failed${partial ? ' (the latest 500)' : ''}.`;
  return (
    <figure className="chart card">
      <figcaption>
        <strong>Last 24 hours</strong>
        <span className="legend">
          <span className="swatch ok" aria-hidden="true" /> {ok} succeeded
          <span className="swatch bad" aria-hidden="true" /> {failed} failed
          {partial && <span className="muted"> (latest 500)</span>}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" x2={W} y1={H} y2={H} className="axis" />
        {buckets.map((b, i) => {
          const okH = scale(b.ok);
          const badH = scale(b.failed);
          const x = i * slot + 2;
          const label = `${hourLabel.format(b.start)}: ${b.ok} succeeded, ${b.failed} failed`;
          return (
            <g key={b.start}>
              <title>{label}</title>
              <rect x={i * slot} y={0} width={slot} height={H} className="hit" />
              {b.ok > 0 && (
                <rect x={x} y={H - okH} width={slot - 4} height={okH} className="bar-ok" />
              )}
              {b.failed > 0 && (
                <rect x={x} y={H - okH - badH} width={slot - 4} height={badH} className="bar-bad" />
              )}
            </g>
          );
        })}
      </svg>
      <div className="ticks" aria-hidden="true">
        <span>24 h ago</span>
        <span>now</span>
      </div>
    </figure>
  );
}
