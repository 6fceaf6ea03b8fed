// Schema pieces that bookings, product orders, events and deliveries share: the guest's
// contact fields, ids, and instants given as ISO 8601 text. Defined once so that every
// resource validates a name, an email or a time in exactly the same way.
import { type TSchema, Type } from '@sinclair/typebox';
import { AppError } from '../errors.js';
import { parseInstant } from '../http/instant.js';

/** `{type: string, enum}` rather than anyOf-of-consts: ajv then names the allowed values. */
export const StringEnum = <T extends string>(
  values: readonly T[],
  options: { description?: string; default?: T } = {},
) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Instant = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: 'ISO 8601 with an offset, e.g. 2026-12-24T19:30:00+01:00',
});
export const GuestName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Phone = Type.String({
  pattern: '^[0-9+()./ -]{3,40}$',
  description: 'Digits and + ( ) . / - or spaces',
});
export const Comment = Type.String({ maxLength: 2000 });
export const Label = (maxLength: number) => Type.String({ minLength: 1, maxLength });

export const ResourceId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Epoch milliseconds of an ISO 8601 instant; a 400 naming `field` if it has none. */
export function epochOf(text: string, field: string): number {
  const ms = parseInstant(text);
  if (ms === undefined) {
    throw new AppError(
      'validation_failed',
      `${field} must be a real moment in ISO 8601 with an offset`,
      field,
    );
  }
  return ms;
}
