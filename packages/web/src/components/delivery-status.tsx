import type { Delivery, DeliveryStatus } from '../types';
import { Badge } from './ui';

const labels: Record<DeliveryStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
  paused: 'Paused',
};

/** A pending delivery whose last attempt failed is retrying: say so, it matters. */
export function DeliveryStatusBadge({
  status,
  attempts = 0,
  code,
}: {
  status: DeliveryStatus;
  attempts?: number;
  code?: number | null;
}) {
  if (status === 'pending' && attempts > 0) return <Badge tone="warn">Retrying</Badge>;
  const tone =
    status === 'succeeded'
      ? 'ok'
      : status === 'failed'
        ? 'bad'
        : status === 'paused'
          ? 'muted'
          : 'info';
  return (
    <Badge tone={tone}>
      {labels[status]}
      {code ? ` · ${code}` : ''}
    </Badge>
  );
}

export const isRetrying = (d: Pick<Delivery, 'status' | 'attempt_count'>) =>
  d.status === 'pending' && d.attempt_count > 0;
