// The REST API's JSON, as `GET /v1/facility/{fid}/bookings/{id}` and `…/productorders/{id}`
// answer it (the server's OpenAPI document at /openapi.json is the reference).

export type BookingStatus =
  | 'requested'
  | 'confirmed'
  | 'seated'
  | 'completed'
  | 'no_show'
  | 'cancelled';

export interface Booking {
  id: number;
  facility_id: string;
  /** Party size. */
  num: number;
  /** The start, as it was given (ISO 8601 with offset). */
  date: string;
  /** Minutes. */
  duration: number;
  status: BookingStatus;
  name: string;
  email: string | null;
  phone: string | null;
  comment: string | null;
  source: string | null;
  table: string | null;
  area: string | null;
  ref_num: string;
  created_at: string;
  updated_at: string;
}

export type ProductOrderStatus = 'received' | 'accepted' | 'ready' | 'completed' | 'cancelled';

export interface ProductOrderItem {
  product_id: string;
  name: string;
  quantity: number;
  /** In minor units (cents). */
  unit_price: number;
}

export interface Address {
  street: string;
  city: string;
  postal_code: string;
  country?: string;
  details?: string;
}

export interface ProductOrder {
  id: number;
  facility_id: string;
  type: 'pickup' | 'delivery';
  items: ProductOrderItem[];
  /** Sum of quantity × unit_price, in minor units. */
  total: number;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
  status: ProductOrderStatus;
  requested_time: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  address: Address | null;
  comment: string | null;
  created_at: string;
  updated_at: string;
}
