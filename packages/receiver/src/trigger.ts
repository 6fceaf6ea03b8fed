import { WebhookVerificationError } from './errors.js';

export const BOOKING_ACTIONS = ['BOOKING_CREATED', 'BOOKING_UPDATED', 'BOOKING_DELETED'] as const;
export const PRODUCTORDER_ACTIONS = [
  'PRODUCTORDER_CREATED',
  'PRODUCTORDER_UPDATED',
  'PRODUCTORDER_DELETED',
] as const;
export const ACTIONS = [...BOOKING_ACTIONS, ...PRODUCTORDER_ACTIONS] as const;
export type TriggerAction = (typeof ACTIONS)[number];

/** A trigger about a booking: fetch it with `getBooking(facility_id, id)`. */
export interface BookingTrigger {
  id: number;
  facility_id: string;
  action: (typeof BOOKING_ACTIONS)[number];
}

/** A trigger about an online order: fetch it with `getProductOrder(facility_id, id)`. */
export interface ProductOrderTrigger {
  id: number;
  facility_id: string;
  action: (typeof PRODUCTORDER_ACTIONS)[number];
}

/** The whole body tablehooks sends: `{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}`. */
export type Trigger = BookingTrigger | ProductOrderTrigger;

export const isBookingTrigger = (t: Trigger): t is BookingTrigger =>
  t.action.startsWith('BOOKING_');

const FIELDS = ['id', 'facility_id', 'action'];
// The server's facility id: a lower-case slug of 1 to 64 characters.
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const refuse = (message: string, field?: string) =>
  new WebhookVerificationError('invalid_trigger', message, field);

/**
 * Parses a trigger body and refuses anything that is not exactly the three fields with the
 * right types: an integer `id` (0 only in a test trigger), a slug `facility_id` and one of the six actions.
 *
 * @throws {WebhookVerificationError} `invalid_json` or `invalid_trigger` (with `field`).
 * @example
 * const trigger = parseTrigger('{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}');
 * if (isBookingTrigger(trigger)) console.log(`booking ${trigger.id}`);
 */
export function parseTrigger(rawBody: string | Uint8Array): Trigger {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : utf8.decode(rawBody));
  } catch {
    // No detail: the parser's message would echo the body back to whoever sent it.
    throw new WebhookVerificationError('invalid_json', 'the body is not UTF-8 JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw refuse('the body is not a JSON object');
  }
  const extra = Object.keys(body).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) throw refuse(`unexpected field "${extra}"`, extra);
  const { id, facility_id, action } = body as Record<string, unknown>;
  // 0 is allowed: it is the id of a test trigger sent without one (the settings' "Send test").
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw refuse('id must be a non-negative integer', 'id');
  }
  if (typeof facility_id !== 'string' || !SLUG.test(facility_id)) {
    throw refuse('facility_id must be a facility slug', 'facility_id');
  }
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw refuse(`action must be one of ${ACTIONS.join(', ')}`, 'action');
  }
  return { id, facility_id, action } as Trigger;
}
