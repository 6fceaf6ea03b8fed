import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from '../core/fields.js';
import { DELIVERY_STATUSES } from '../db/schema.js';
import { EventNameSchema } from '../events/event-names.js';
import { FacilityIdParam, IsoTime, Pagination } from '../http/schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const DeliveryStatusSchema = StringEnum(DELIVERY_STATUSES, {
  description:
    'pending: due, being sent or waiting for a retry; blocked: waits for an earlier delivery ' +
    'about the same resource (ordering per_resource); paused: held while the webhook is ' +
    'disabled or the facility is not on the premium plan; final: succeeded, failed, ' +
    'superseded (a later *_DELETED made it unnecessary; not sent), expired (older than ' +
    "the webhook's max_age_hours when its retry came).",
});

export const AttemptSchema = Type.Object(
  {
    id: Type.Integer(),
    started_at: IsoTime,
    duration_ms: Type.Integer(),
    status_code: Type.Union([Type.Integer(), Type.Null()]),
    response_body: Nullable(Type.String({ description: 'The first 4 KiB of the answer' })),
    error_class: Nullable(
      Type.String({ description: 'timeout, connection_refused, dns, tls, http_status, …' }),
    ),
    error_message: Nullable(Type.String()),
    success: Type.Boolean(),
    trigger: Type.String({ description: 'scheduled, resend or test' }),
    credentials: Type.Union([Type.Literal('new'), Type.Literal('old'), Type.Null()], {
      description:
        'While Basic-Auth credentials rotate: which ones this attempt sent (old: after the ' +
        'receiver refused the new ones); null otherwise',
    }),
  },
  { title: 'Attempt' },
);
export type AttemptOut = Static<typeof AttemptSchema>;

export const DeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'Also the webhook-id header: the same on every retry' }),
    webhook_id: Type.String(),
    event: Type.String(),
    action: Type.String(),
    resource_type: Type.String(),
    resource_id: Type.Integer(),
    status: DeliveryStatusSchema,
    test: Type.Boolean(),
    attempt_count: Type.Integer(),
    sequence: Type.Integer({
      description:
        'The webhook-sequence header: per webhook and resource, from 1 (0 on test triggers)',
    }),
    event_count: Type.Integer({
      description: 'How many events this delivery stands for (more than 1: coalesced updates)',
    }),
    superseded_by: Nullable(
      Type.String({ description: 'The *_DELETED delivery that made this one unnecessary' }),
    ),
    next_attempt_at: Nullable(IsoTime),
    last_attempt_at: Nullable(IsoTime),
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Nullable(Type.String()),
    succeeded_at: Nullable(IsoTime),
    created_at: IsoTime,
  },
  { title: 'Delivery' },
);
export type DeliveryOut = Static<typeof DeliverySchema>;

export const DeliveryWithAttemptsSchema = Type.Intersect(
  [DeliverySchema, Type.Object({ attempts: Type.Array(AttemptSchema) })],
  { title: 'DeliveryWithAttempts' },
);

export const DeliveryParams = Type.Object({
  facility_id: FacilityIdParam,
  webhook_id: Type.String({ maxLength: 64 }),
  delivery_id: Type.String({ maxLength: 64 }),
});

export const DeliveryQuery = Type.Object(
  {
    ...Pagination,
    status: Type.Optional(DeliveryStatusSchema),
    event: Type.Optional(EventNameSchema),
    since: Type.Optional(IsoTime),
    until: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export type DeliveryFilter = Static<typeof DeliveryQuery>;

export const RecoverBody = Type.Object(
  {
    since: IsoTime,
    until: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);

export const TestBody = Type.Object(
  {
    event: Type.Optional(EventNameSchema),
    id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);

export const TestResultSchema = Type.Object(
  {
    delivery: DeliverySchema,
    attempt: Type.Optional(AttemptSchema),
  },
  { title: 'TestResult' },
);

export const StatsQuery = Type.Object(
  {
    hours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 168,
        default: 24,
        description: 'How many hours back, the current one included (1 to 168)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatsBucketSchema = Type.Object({
  hour: Type.String({ format: 'date-time', description: 'The start of the hour' }),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  retrying: Type.Integer(),
  pending: Type.Integer(),
});

export const StatsSchema = Type.Object(
  {
    from: IsoTime,
    to: IsoTime,
    buckets: Type.Array(StatsBucketSchema),
  },
  { title: 'DeliveryStats' },
);
