import { type Static, Type } from '@sinclair/typebox';
import { FacilityIdParam, IsoTime } from '../http/schemas.js';

export const PlanSchema = Type.Union([Type.Literal('free'), Type.Literal('premium')]);

export const FacilitySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    plan: PlanSchema,
    created_at: IsoTime,
    updated_at: IsoTime,
  },
  { title: 'Facility' },
);
export type FacilityOut = Static<typeof FacilitySchema>;

export const CreateFacilityBody = Type.Object(
  {
    id: FacilityIdParam,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    plan: Type.Optional(PlanSchema),
  },
  { additionalProperties: false },
);

export const PatchFacilityBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    plan: Type.Optional(PlanSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
