import { Type } from '@sinclair/typebox';
import { IsoTime } from '../http/schemas.js';
import { Password, Username } from './webhooks.schemas.js';

const Hours = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 720, default: 24, description }));

export const RotateSecretBody = Type.Object(
  {
    expire_old_after_hours: Hours(
      'How long the old secret is still signed with, beside the new one (0: not at all)',
    ),
  },
  { additionalProperties: false },
);

export const RotatedSecretSchema = Type.Object(
  {
    signing_secret: Type.String({ description: 'The new secret (whsec_…)' }),
    previous_expires_at: Type.Union([IsoTime, Type.Null()], {
      description: 'When the old signature stops being sent (null: already)',
    }),
  },
  { title: 'RotatedSecret' },
);

export const RotateCredentialsBody = Type.Object(
  {
    username: Type.Optional(Username),
    password: Password,
    overlap_hours: Hours(
      'How long the old credentials are still tried after the receiver refuses the new ones',
    ),
  },
  { additionalProperties: false },
);
