import { type Static, Type } from '@sinclair/typebox';
import { IsoTime } from '../http/schemas.js';

export const ScopeSchema = Type.Union([
  Type.Literal('read'),
  Type.Literal('write'),
  Type.Literal('webhooks'),
]);

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
    scopes: Type.Array(ScopeSchema),
    created_at: IsoTime,
    last_used_at: Type.Union([IsoTime, Type.Null()]),
    revoked_at: Type.Union([IsoTime, Type.Null()]),
  },
  { title: 'ApiKey' },
);
export type ApiKeyOut = Static<typeof ApiKeySchema>;

export const CreatedApiKeySchema = Type.Intersect(
  [
    ApiKeySchema,
    Type.Object({ key: Type.String({ description: 'Shown once; only its hash is stored' }) }),
  ],
  { title: 'CreatedApiKey' },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const RoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('staff')]);

export const UserSchema = Type.Object(
  { id: Type.String(), email: Type.String(), role: RoleSchema, created_at: IsoTime },
  { title: 'User' },
);

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 8, maxLength: 1024, writeOnly: true }),
    role: Type.Optional(RoleSchema),
  },
  { additionalProperties: false },
);
