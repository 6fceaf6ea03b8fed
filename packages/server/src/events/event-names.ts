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

export const EventNameSchema = Type.Union(EVENTS.map((e) => Type.Literal(e)));

export const actionOf = (event: string): string => event.toUpperCase();

export const resourceTypeOf = (event: EventName): ResourceType =>
  event.startsWith('booking_') ? 'booking' : 'productorder';

export const eventName = (
  type: ResourceType,
  change: 'created' | 'updated' | 'deleted',
): EventName => `${type}_${change}` as EventName;
