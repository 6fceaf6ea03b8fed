import { type Static, Type } from '@sinclair/typebox';
import { EventNameSchema } from '../events/event-names.js';
import { FacilityIdParam, IsoTime } from '../http/schemas.js';

export const WebhookParams = Type.Object({
  facility_id: FacilityIdParam,
  webhook_id: Type.String({ maxLength: 64 }),
});

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'http:// or https:// target URL',
});
// RFC 7617: a Basic Auth user-id cannot contain a colon.
const Username = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^:\\r\\n]*$' });
const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  writeOnly: true,
  description: 'Write-only; never returned',
});
const Events = Type.Array(EventNameSchema, { minItems: 1, uniqueItems: true });
const Description = Type.String({ maxLength: 500 });

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    username: Username,
    password: Password,
    events: Events,
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

export const PatchWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchWebhookInput = Static<typeof PatchWebhookBody>;

export const WebhookState = Type.Union(
  [Type.Literal('enabled'), Type.Literal('paused'), Type.Literal('disabled')],
  { description: 'paused: the facility is not on the premium plan; disabled: see disabled_reason' },
);

export const LastDeliverySchema = Type.Object({
  id: Type.String(),
  event: Type.String(),
  status: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  at: IsoTime,
});

export const WebhookSchema = Type.Object(
  {
    id: Type.String(),
    facility_id: Type.String(),
    url: Type.String(),
    username: Type.String(),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    state: WebhookState,
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    disabled_at: Type.Union([IsoTime, Type.Null()]),
    failing_since: Type.Union([IsoTime, Type.Null()]),
    description: Type.String(),
    created_at: IsoTime,
    updated_at: IsoTime,
    last_delivery: Type.Union([LastDeliverySchema, Type.Null()]),
  },
  { title: 'Webhook' },
);
export type WebhookOut = Static<typeof WebhookSchema>;

export const CreatedWebhookSchema = Type.Intersect(
  [
    WebhookSchema,
    Type.Object({
      signing_secret: Type.String({
        description:
          'Standard Webhooks secret (whsec_…) for the webhook-signature header; shown on creation',
      }),
    }),
  ],
  { title: 'CreatedWebhook' },
);
