// Table types as the application sees them. Times are integer epoch milliseconds in both
// dialects: the clock is injected (tests move it), so the database never calls now().
// Booleans are 0/1 integers, JSON is text: the same on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export interface SettingsTable {
  key: string;
  value: string;
}

export type Plan = 'free' | 'premium';

export interface FacilitiesTable {
  id: string;
  name: string;
  plan: Plan;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  facility_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UsersTable {
  id: string;
  facility_id: string;
  email: string;
  password_hash: string;
  role: 'owner' | 'staff';
  created_at: number;
}

export interface BookingsTable {
  id: Generated<number>;
  facility_id: string;
  num: number;
  date: string;
  start_at: number;
  duration: number;
  status: string;
  name: string;
  email: string | null;
  phone: string | null;
  comment: string | null;
  source: string | null;
  table_label: string | null;
  area: string | null;
  ref_num: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProductOrdersTable {
  id: Generated<number>;
  facility_id: string;
  type: 'pickup' | 'delivery';
  items: string;
  total: number;
  currency: string;
  status: string;
  requested_time: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  comment: string | null;
  created_at: number;
  updated_at: number;
}

export type ResourceType = 'booking' | 'productorder';

export interface EventsTable {
  id: Generated<number>;
  facility_id: string;
  resource_type: ResourceType;
  resource_id: number;
  event: string;
  /** 'api' (a change made through tablehooks) or 'ingest' (pushed by the platform). */
  source: string;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  facility_id: string;
  url: string;
  username: string;
  password_enc: string;
  signing_secret_enc: string | null;
  events: string;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  description: string;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
  /** 'per_resource' | 'none' (see queue/ordering). */
  ordering: Ordering;
  coalesce_updates: number;
  supersede_on_delete: number;
  max_age_hours: number | null;
}

export type Ordering = 'per_resource' | 'none';

export interface WebhookEventsTable {
  webhook_id: string;
  facility_id: string;
  event: string;
}

/**
 * pending: due, being sent or waiting for a retry; blocked: waits for an earlier delivery
 * about the same resource (ordering); paused: held (webhook disabled, free plan); the rest
 * are final: succeeded, failed, superseded (a delete made it unnecessary), expired (older
 * than the webhook's max_age_hours when its retry came).
 */
export const DELIVERY_STATUSES = [
  'pending',
  'blocked',
  'paused',
  'succeeded',
  'failed',
  'superseded',
  'expired',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveriesTable {
  id: string;
  webhook_id: string;
  facility_id: string;
  event_id: number | null;
  resource_type: ResourceType;
  resource_id: number;
  event: string;
  status: DeliveryStatus;
  tries: number;
  attempt_count: number;
  next_attempt_at: number;
  leased_by: string | null;
  is_test: number;
  created_at: number;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: number | null;
  sequence: number;
  event_count: number;
  last_event_at: number;
  superseded_by: string | null;
}

export interface ResourceSequencesTable {
  webhook_id: string;
  resource_type: ResourceType;
  resource_id: number;
  last_sequence: number;
}

export interface DispatchersTable {
  id: string;
  started_at: number;
  heartbeat_at: number;
}

export interface AttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  webhook_id: string;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error_class: string | null;
  error_message: string | null;
  success: number;
  trigger: 'scheduled' | 'resend' | 'test';
}

export interface Database {
  settings: SettingsTable;
  facilities: FacilitiesTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  bookings: BookingsTable;
  productorders: ProductOrdersTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_events: WebhookEventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  resource_sequences: ResourceSequencesTable;
  dispatchers: DispatchersTable;
}

/** A UI login; the cookie holds the token, this table only its SHA-256. */
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  facility_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface Database {
  sessions: SessionsTable;
}
