// What the API answers, as far as the UI reads it (see /openapi.json for the full schemas).

export type { List } from './api';

export type EventName =
  | 'booking_created'
  | 'booking_updated'
  | 'booking_deleted'
  | 'productorder_created'
  | 'productorder_updated'
  | 'productorder_deleted';

export interface Facility {
  id: string;
  name: string;
  plan: 'free' | 'premium';
}

export interface Webhook {
  id: string;
  url: string;
  username: string;
  events: EventName[];
  enabled: boolean;
  state: 'enabled' | 'paused' | 'disabled';
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  description: string;
  ordering: 'per_resource' | 'none';
  coalesce_updates: boolean;
  supersede_on_delete: boolean;
  max_age_hours: number | null;
  created_at: string;
  updated_at: string;
  last_delivery: {
    id: string;
    event: string;
    status: DeliveryStatus;
    status_code: number | null;
    at: string;
  } | null;
}

export type DeliveryStatus =
  | 'pending'
  | 'blocked'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'superseded'
  | 'expired';

export interface Delivery {
  id: string;
  webhook_id: string;
  event: EventName;
  action: string;
  resource_type: string;
  resource_id: number;
  status: DeliveryStatus;
  test: boolean;
  attempt_count: number;
  sequence: number;
  event_count: number;
  superseded_by: string | null;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: string | null;
  created_at: string;
}

export interface Attempt {
  id: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  response_body: string | null;
  error_class: string | null;
  error_message: string | null;
  success: boolean;
  trigger: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ('read' | 'write' | 'webhooks')[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Booking {
  id: number;
  num: number;
  date: string;
  duration: number;
  status: string;
  name: string;
  email: string | null;
  phone: string | null;
  comment: string | null;
  table: string | null;
  area: string | null;
  ref_num: string;
  created_at: string;
  updated_at: string;
}

export interface OrderItem {
  product_id: string;
  name: string;
  quantity: number;
  unit_price: number;
}

export interface Address {
  street: string;
  city: string;
  postal_code: string;
  country?: string;
  details?: string;
}

export interface Order {
  id: number;
  type: 'pickup' | 'delivery';
  items: OrderItem[];
  total: number;
  currency: string;
  status: string;
  requested_time: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  address: Address | null;
  comment: string | null;
  created_at: string;
  updated_at: string;
}
