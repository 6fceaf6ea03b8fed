import { Type } from '@sinclair/typebox';
import type { ResourceType } from '../db/schema.js';

// Exactly as the help page names them; the body's `action` is the upper-case form.
export const EVENTS = [
  'booking_created',
  'booking_updated',
  'booking_deleted',
  'productorder_created',
  'productorder_updated',
  'productorder_deleted',
] as const;
export type EventName = (typeof EVENTS)[number];

// An enum rather than a union of literals: a wrong value is answered with the list of valid
// ones ("must be one of booking_created, …"), and OpenAPI shows an enum.
export const EventNameSchema = Type.Unsafe<EventName>({ type: 'string', enum: [...EVENTS] });

export const actionOf = (event: string): string => event.toUpperCase();

export const resourceTypeOf = (event: EventName): ResourceType =>
  event.startsWith('booking_') ? 'booking' : 'productorder';

export const eventName = (
  type: ResourceType,
  change: 'created' | 'updated' | 'deleted',
): EventName => `${type}_${change}` as EventName;
