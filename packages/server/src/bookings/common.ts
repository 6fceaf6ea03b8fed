// What bookings and product orders share: the guest's contact fields, instants given as
// ISO 8601 text, and a small status machine. Orders import it from here so that both
// resources validate a name, an email or a time in exactly the same way.
import { type TSchema, Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Random } from '../clock.js';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';
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

// Crockford's base32: no I, L, O or U, so a reference read out on the phone is unambiguous.
const REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short reference for guests and staff; 40 random bits, unbiased (256 % 32 === 0). */
export function newRefNum(random: Random): string {
  return [...random.bytes(8)].map((b) => REF_ALPHABET[b & 31]).join('');
}

/** A miss on a scoped id names the facility when that is what is missing. */
export async function notFoundIn(
  db: Kysely<Database>,
  facilityId: string,
  what: string,
): Promise<AppError> {
  return (await findFacility(db, facilityId)) ? notFound(what) : notFound('facility');
}

export async function facilityMustExist(db: Kysely<Database>, facilityId: string): Promise<void> {
  if (!(await findFacility(db, facilityId))) throw notFound('facility');
}

export interface StatusMachine<S extends string> {
  what: string;
  /** Statuses a new resource may start in. */
  initial: readonly S[];
  next: Readonly<Record<S, readonly S[]>>;
  /** Statuses in which nothing about the resource may change any more. */
  frozen: readonly S[];
}

export function checkInitial<S extends string>(m: StatusMachine<S>, status: S): void {
  if (!m.initial.includes(status)) {
    throw new AppError(
      'unprocessable',
      `a ${m.what} can't be created as ${status} (allowed: ${m.initial.join(', ')})`,
      'status',
    );
  }
}

/** Any change to a frozen resource, or a status move the machine doesn't allow, is a 422. */
export function checkChange<S extends string>(m: StatusMachine<S>, from: S, to?: S): void {
  if (m.frozen.includes(from)) {
    throw new AppError('unprocessable', `a ${from} ${m.what} can't be changed`, 'status');
  }
  if (to !== undefined && to !== from && !m.next[from].includes(to)) {
    throw new AppError('unprocessable', `a ${from} ${m.what} can't become ${to}`, 'status');
  }
}
