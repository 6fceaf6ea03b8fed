// Deliveries per hour over the last 24 hours, as the server counts them (…/stats): a
// hand-drawn SVG bar chart. The words are the API's: succeeded (delivered), failed (failed
// or expired) and retrying (waiting for a retry, which "Resend failed since…" also sends).
import type { Stats } from '../types';

const W = 480;
const H = 120;
const PAD = 4;

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function DeliveryChart({ stats }: { stats: Stats }) {
  const buckets = stats.buckets;
  const sum = (k: 'delivered' | 'failed' | 'retrying') => buckets.reduce((n, b) => n + b[k], 0);
  const ok = sum('delivered');
  const failed = sum('failed');
  const retrying = sum('retrying');
  const max = Math.max(1, ...buckets.map((b) => b.delivered + b.failed + b.retrying));
  const slot = W / Math.max(1, buckets.length);
  const scale = (n: number) => (n / max) * (H - PAD);
  const summary = `Deliveries in the last 24 hours: ${ok} succeeded, ${failed} failed, ${retrying} retrying.`;
  return (
    <figure className="chart card">
      <figcaption>
        <strong>Last 24 hours</strong>
        <span className="legend">
          <span className="swatch ok" aria-hidden="true" /> {ok} succeeded
          <span className="swatch bad" aria-hidden="true" /> {failed} failed
          <span className="swatch warn" aria-hidden="true" /> {retrying} retrying
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" x2={W} y1={H} y2={H} className="axis" />
        {buckets.map((b, i) => {
          const okH = scale(b.delivered);
          const badH = scale(b.failed);
          const retryH = scale(b.retrying);
          const x = i * slot + 2;
          const label = `${hourLabel.format(new Date(b.hour))}: ${b.delivered} succeeded, ${b.failed} failed, ${b.retrying} retrying`;
          return (
            <g key={b.hour}>
              <title>{label}</title>
              <rect x={i * slot} y={0} width={slot} height={H} className="hit" />
              {b.delivered > 0 && (
                <rect x={x} y={H - okH} width={slot - 4} height={okH} className="bar-ok" />
              )}
              {b.failed > 0 && (
                <rect x={x} y={H - okH - badH} width={slot - 4} height={badH} className="bar-bad" />
              )}
              {b.retrying > 0 && (
                <rect
                  x={x}
                  y={H - okH - badH - retryH}
                  width={slot - 4}
                  height={retryH}
                  className="bar-warn"
                />
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
