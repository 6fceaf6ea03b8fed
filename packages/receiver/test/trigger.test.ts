import { describe, expect, it } from 'vitest';
import { ACTIONS, isBookingTrigger, parseTrigger, WebhookVerificationError } from '../src/index.js';

const wire = (id: unknown, facility: unknown, action: unknown) =>
  `{"id": ${JSON.stringify(id)}, "facility_id": ${JSON.stringify(facility)}, "action": ${JSON.stringify(action)}}`;

describe('parseTrigger', () => {
  it.each(ACTIONS)('accepts the exact wire body for %s', (action) => {
    const trigger = parseTrigger(wire(51918313, 'the-fish', action));
    expect(trigger).toEqual({ id: 51918313, facility_id: 'the-fish', action });
    expect(isBookingTrigger(trigger)).toBe(action.startsWith('BOOKING_'));
  });

  it('accepts id 0, which a test trigger sent without an id carries', () => {
    expect(parseTrigger(wire(0, 'the-fish', 'BOOKING_CREATED')).id).toBe(0);
  });

  it('accepts the body as bytes, and the largest safe integer id', () => {
    const body = Buffer.from(wire(Number.MAX_SAFE_INTEGER, 'a', 'PRODUCTORDER_DELETED'));
    expect(parseTrigger(body).id).toBe(Number.MAX_SAFE_INTEGER);
  });

  const refused: [string, string | Uint8Array, string, string?][] = [
    ['an empty body', '', 'invalid_json'],
    ['a body that is not JSON', 'id=1&action=BOOKING_CREATED', 'invalid_json'],
    ['truncated JSON', wire(1, 'the-fish', 'BOOKING_CREATED').slice(0, -1), 'invalid_json'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'invalid_json'],
    ['a JSON array', '[1, "the-fish", "BOOKING_CREATED"]', 'invalid_trigger'],
    ['JSON null', 'null', 'invalid_trigger'],
    ['a JSON string', '"BOOKING_CREATED"', 'invalid_trigger'],
    [
      'an extra field',
      '{"id": 1, "facility_id": "a", "action": "BOOKING_CREATED", "name": "Ada"}',
      'invalid_trigger',
      'name',
    ],
    [
      'an extra field even when null',
      '{"id": 1, "facility_id": "a", "action": "BOOKING_CREATED", "x": null}',
      'invalid_trigger',
      'x',
    ],
    ['a missing id', '{"facility_id": "a", "action": "BOOKING_CREATED"}', 'invalid_trigger', 'id'],
    [
      'a missing facility_id',
      '{"id": 1, "action": "BOOKING_CREATED"}',
      'invalid_trigger',
      'facility_id',
    ],
    ['a missing action', '{"id": 1, "facility_id": "a"}', 'invalid_trigger', 'action'],
    ['an id as a string', wire('51918313', 'a', 'BOOKING_CREATED'), 'invalid_trigger', 'id'],
    ['a fractional id', wire(1.5, 'a', 'BOOKING_CREATED'), 'invalid_trigger', 'id'],
    ['a negative id', wire(-7, 'a', 'BOOKING_CREATED'), 'invalid_trigger', 'id'],
    [
      'an id beyond the safe integers',
      '{"id": 9007199254740993, "facility_id": "a", "action": "BOOKING_CREATED"}',
      'invalid_trigger',
      'id',
    ],
    ['a null id', wire(null, 'a', 'BOOKING_CREATED'), 'invalid_trigger', 'id'],
    ['a facility_id as a number', wire(1, 42, 'BOOKING_CREATED'), 'invalid_trigger', 'facility_id'],
    [
      'a facility_id that is no slug',
      wire(1, 'The Fish', 'BOOKING_CREATED'),
      'invalid_trigger',
      'facility_id',
    ],
    ['an empty facility_id', wire(1, '', 'BOOKING_CREATED'), 'invalid_trigger', 'facility_id'],
    ['an unknown action', wire(1, 'a', 'BOOKING_ARCHIVED'), 'invalid_trigger', 'action'],
    ['an action in lower case', wire(1, 'a', 'booking_created'), 'invalid_trigger', 'action'],
    ['an action as a list', wire(1, 'a', ['BOOKING_CREATED']), 'invalid_trigger', 'action'],
  ];
  it.each(refused)('refuses %s', (_title, body, reason, field) => {
    let error: unknown;
    try {
      parseTrigger(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ reason, status: 400, field });
  });
});
