// ajv's errors in plain words, one per field, with the real validator the routes use.
import { Type } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { expect, it } from 'vitest';
import { plainErrors } from '../../src/http/plain-errors.js';
import { validatorCompiler } from '../../src/http/validation.js';

const Item = Type.Object({
  quantity: Type.Integer({ minimum: 1 }),
  note: Type.Union([Type.String({ maxLength: 3 }), Type.Null()]),
});
const Body = Type.Object(
  {
    name: Type.String({ minLength: 1, 'x-messages': { required: 'Enter a name' } }),
    items: Type.Array(Item, { minItems: 1 }),
    address: Type.Union([
      Type.Object({ city: Type.String() }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

function errorsOf(value: unknown): ErrorObject[] {
  const validate = validatorCompiler({
    schema: Body,
    httpPart: 'body',
    method: 'POST',
    url: '',
  }) as unknown as {
    (v: unknown): boolean;
    errors: ErrorObject[];
  };
  expect(validate(value)).toBe(false);
  return validate.errors;
}

it.each([
  [
    'nothing at all',
    {},
    [
      { field: 'name', message: 'Enter a name' },
      { field: 'items', message: '"items" is required' },
      { field: 'address', message: '"address" is required' },
    ],
  ],
  [
    'each wrong item of a list, by its place',
    {
      name: 'a',
      items: [
        { quantity: 0, note: null },
        { quantity: 2, note: 'long' },
        { quantity: 'x', note: 5 },
      ],
      address: null,
    },
    [
      { field: 'items.0.quantity', message: '"items.0.quantity" must be at least 1' },
      { field: 'items.1.note', message: '"items.1.note" must be text, or null' },
      { field: 'items.2.quantity', message: '"items.2.quantity" must be a whole number' },
      { field: 'items.2.note', message: '"items.2.note" must be text, or null' },
    ],
  ],
  [
    'the inside of a nullable object',
    { name: 'a', items: [{ quantity: 1, note: null }], address: { town: 'x' } },
    [
      { field: 'address.city', message: '"address.city" is required' },
      { field: 'address.town', message: 'unknown field "address.town"' },
    ],
  ],
  ['a body that is not an object', [], [{ message: 'The request body must be a JSON object' }]],
])('words %s', (_what, value, expected) => {
  expect(plainErrors(errorsOf(value))).toEqual(expected);
});

it('reads only the first 500 errors of a huge wrong list, and answers at most 50 fields', () => {
  const items = Array.from({ length: 20_000 }, () => ({ quantity: 0, note: 7 }));
  const fields = plainErrors(errorsOf({ name: 'a', items, address: null }));
  expect(fields).toHaveLength(50);
  expect(fields[0]).toEqual({
    field: 'items.0.quantity',
    message: '"items.0.quantity" must be at least 1',
  });
});
