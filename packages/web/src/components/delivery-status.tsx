import type { Delivery, DeliveryStatus } from '../types';
import { Badge } from './ui';

const labels: Record<DeliveryStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
  blocked: 'Waiting for earlier',
  paused: 'Paused',
  superseded: 'Superseded',
  expired: 'Expired',
};

const tones: Record<DeliveryStatus, 'ok' | 'bad' | 'muted' | 'info' | 'warn'> = {
  succeeded: 'ok',
  failed: 'bad',
  pending: 'info',
  blocked: 'info',
  paused: 'muted',
  superseded: 'muted',
  expired: 'bad',
};

/** Not final: it is still to be sent (or being sent); Resend makes no sense for it. */
export const isQueued = (status: DeliveryStatus) =>
  status === 'pending' || status === 'blocked' || status === 'paused';

/** A pending delivery whose last attempt failed is retrying: say so, it matters. */
export function DeliveryStatusBadge({
  status,
  attempts = 0,
  code,
}: {
  /** A webhook's last_delivery carries the status as a plain string. */
  status: DeliveryStatus | string;
  attempts?: number;
  code?: number | null;
}) {
  if (status === 'pending' && attempts > 0) return <Badge tone="warn">Retrying</Badge>;
  return (
    <Badge tone={tones[status as DeliveryStatus] ?? 'muted'}>
      {labels[status as DeliveryStatus] ?? status}
      {code ? ` · ${code}` : ''}
    </Badge>
  );
}

export const isRetrying = (d: Pick<Delivery, 'status' | 'attempt_count'>) =>
  d.status === 'pending' && d.attempt_count > 0;
