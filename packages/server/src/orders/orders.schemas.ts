import { type Static, Type } from '@sinclair/typebox';
import {
  Comment,
  Email,
  GuestName,
  Instant,
  Label,
  Nullable,
  Phone,
  ResourceId,
  StringEnum,
} from '../core/fields.js';
import { FacilityIdParam, IsoTime, Pagination } from '../http/schemas.js';

export const ORDER_STATUSES = ['received', 'accepted', 'ready', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_TYPES = ['pickup', 'delivery'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

const Status = StringEnum(ORDER_STATUSES);
const OrderTypeSchema = StringEnum(ORDER_TYPES);

export const ItemSchema = Type.Object(
  {
    product_id: Label(100),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
    unit_price: Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      description: 'In minor units (cents)',
    }),
  },
  { additionalProperties: false, title: 'OrderItem' },
);
export type Item = Static<typeof ItemSchema>;
const Items = Type.Array(ItemSchema, { minItems: 1, maxItems: 100 });

export const AddressSchema = Type.Object(
  {
    street: Label(200),
    city: Label(100),
    postal_code: Label(20),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1' })),
    details: Type.Optional(Type.String({ maxLength: 500, description: 'Floor, door, hints' })),
  },
  { additionalProperties: false, title: 'Address' },
);
export type Address = Static<typeof AddressSchema>;

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' });

export const OrderSchema = Type.Object(
  {
    id: Type.Integer(),
    facility_id: Type.String(),
    type: OrderTypeSchema,
    items: Type.Array(ItemSchema),
    total: Type.Integer({ description: 'Sum of quantity × unit_price, in minor units' }),
    currency: Type.String(),
    status: Status,
    requested_time: Nullable(Type.String({ format: 'date-time' })),
    name: Type.String(),
    email: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    address: Nullable(AddressSchema),
    comment: Nullable(Type.String()),
    created_at: IsoTime,
    updated_at: IsoTime,
  },
  { title: 'ProductOrder' },
);
export type OrderOut = Static<typeof OrderSchema>;

const editable = {
  type: OrderTypeSchema,
  items: Items,
  currency: Currency,
  status: Status,
  requested_time: Nullable(Instant),
  name: GuestName,
  email: Nullable(Email),
  phone: Nullable(Phone),
  address: Nullable(AddressSchema),
  comment: Nullable(Comment),
};

export const CreateOrderBody = Type.Object(
  {
    type: editable.type,
    items: editable.items,
    currency: Type.Optional(Type.String({ ...Currency, default: 'EUR' })),
    status: Type.Optional(
      StringEnum(ORDER_STATUSES, { default: 'received', description: 'received or accepted' }),
    ),
    requested_time: Type.Optional(editable.requested_time),
    name: editable.name,
    email: Type.Optional(editable.email),
    phone: Type.Optional(editable.phone),
    address: Type.Optional(
      Type.Union([AddressSchema, Type.Null()], { description: 'Required for a delivery' }),
    ),
    comment: Type.Optional(editable.comment),
  },
  { additionalProperties: false },
);
export type CreateOrderInput = Static<typeof CreateOrderBody>;

export const PatchOrderBody = Type.Partial(Type.Object(editable), {
  additionalProperties: false,
  minProperties: 1,
});
export type PatchOrderInput = Static<typeof PatchOrderBody>;

export const OrderParams = Type.Object({ facility_id: FacilityIdParam, order_id: ResourceId });

export const OrderListQuery = Type.Object(
  {
    ...Pagination,
    status: Type.Optional(
      Type.Array(Status, { maxItems: 5, description: 'One or more; repeat the parameter' }),
    ),
    type: Type.Optional(OrderTypeSchema),
  },
  { additionalProperties: false },
);
export type OrderListInput = Static<typeof OrderListQuery>;
