// Shared pieces of route schemas, resmio style: lists take limit/offset and answer
// {"objects": [...], "meta": {"limit", "offset", "total_count"}}.
import { type TSchema, Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(
        Type.String({ description: 'The field the message is about (the first, if several)' }),
      ),
      fields: Type.Optional(
        Type.Array(
          Type.Object({
            field: Type.Optional(Type.String()),
            message: Type.String({ description: 'In plain words, to show beside the field' }),
          }),
          {
            description:
              'On validation_failed: every field with a problem, each once, in plain words',
          },
        ),
      ),
    }),
  },
  { $id: 'Error', title: 'Error' },
);

export const FacilityIdParam = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
  description: 'The facility slug, e.g. "the-fish"',
});

export const FacilityParams = Type.Object({ facility_id: FacilityIdParam });

// Optional with defaults, so OpenAPI does not mark them required; core/paging.ts page()
// fills them in.
export const Pagination = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
};

export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({
    objects: Type.Array(item),
    meta: Type.Object({
      limit: Type.Integer(),
      offset: Type.Integer(),
      total_count: Type.Integer(),
    }),
  });
}

export const IsoTime = Type.String({ format: 'date-time' });

/** Standard error responses, so every route's OpenAPI entry documents them. */
export const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, ErrorSchema])) as Record<number, typeof ErrorSchema>;

/**
 * Either header works: `Api-Key: …` (resmio style) or `Authorization: Bearer …`; the UI
 * uses its session cookie.
 */
export const security: { [label: string]: string[] }[] = [
  { apiKey: [] },
  { bearer: [] },
  { cookie: [] },
];
