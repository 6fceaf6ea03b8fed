// The UI's data layer: TanStack Query caches every answer under a key, refetches what a
// mutation changed (invalidation by key prefix), and polls only while the tab is in front.
import { QueryClient, useQuery } from '@tanstack/react-query';
import { ApiError, api } from './api';
import { useFacilityPath, useSession } from './session';
import type { Facility } from './types';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will answer the same again (and 401 already ends the session): retry only
      // what may pass on a second try (network, 5xx).
      retry: (failures, err) =>
        failures < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      // Polling stops in a background tab; the tab coming back refetches what is stale.
      refetchIntervalInBackground: false,
      refetchOnWindowFocus: true,
      staleTime: 1_000,
    },
  },
});

/**
 * Query keys, one tree per facility so that a change invalidates everything under it:
 * invalidating keys.webhook(f, w) refreshes the webhook, its log, its chart and every open
 * attempt list at once.
 */
export const keys = {
  facility: (f: string) => ['facility', f] as const,
  webhooks: (f: string) => ['facility', f, 'webhooks'] as const,
  webhook: (f: string, w: string) => ['facility', f, 'webhook', w] as const,
  deliveries: (f: string, w: string, limit: number) =>
    [...keys.webhook(f, w), 'deliveries', limit] as const,
  stats: (f: string, w: string) => [...keys.webhook(f, w), 'stats'] as const,
  attempts: (f: string, w: string, d: string) => [...keys.webhook(f, w), 'attempts', d] as const,
};

/** The facility (its plan decides what may be done): fetched once and shared by every page. */
export function useFacility() {
  const id = useSession().session.facility.id;
  const at = useFacilityPath();
  return useQuery({
    queryKey: keys.facility(id),
    queryFn: () => api<Facility>('GET', at('')),
    staleTime: 60_000,
  });
}

/** After a change to a webhook: its page, its log, chart and attempts, and the list. */
export function invalidateWebhook(facility: string, webhook: string): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: keys.webhook(facility, webhook) }),
    queryClient.invalidateQueries({ queryKey: keys.webhooks(facility) }),
  ]).then(() => undefined);
}
