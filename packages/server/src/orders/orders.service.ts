import { epochOf } from '../core/fields.js';
import { iso } from '../core/iso.js';
import type { ChangesOf } from '../core/resource.repository.js';
import {
  type ResourceDeps,
  type ResourceKind,
  resourceMechanics,
} from '../core/resource.service.js';
import { checkInitial, type StatusMachine } from '../core/status-machine.js';
import { AppError } from '../errors.js';
import type { InTransaction } from '../idempotency/in-transaction.js';
import { insertOrder, listOrders, ORDER_COLUMNS, type OrderRow } from './orders.repository.js';
import type {
  Address,
  CreateOrderInput,
  Item,
  OrderListInput,
  OrderOut,
  OrderStatus,
  OrderType,
  PatchOrderInput,
} from './orders.schemas.js';

// The kitchen's path, one step at a time; a completed order has been paid and handed over,
// so like a cancelled one it is final.
export const orderStatuses: StatusMachine<OrderStatus> = {
  what: 'product order',
  initial: ['received', 'accepted'],
  next: {
    received: ['accepted', 'cancelled'],
    accepted: ['ready', 'cancelled'],
    ready: ['completed', 'cancelled'],
    completed: [],
    cancelled: [],
  },
  frozen: ['completed', 'cancelled'],
};

/** Computed here, never taken from the client: the total always matches the items. */
export const totalOf = (items: readonly Item[]): number =>
  items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0);

/** A delivery needs an address; a pickup has none (it would only mislead a driver or a ticket). */
function addressFor(type: OrderType, address: Address | null | undefined): Address | null {
  if (type === 'delivery' && !address) {
    throw new AppError('unprocessable', 'a delivery order needs an address', 'address');
  }
  if (type === 'pickup' && address) {
    throw new AppError('unprocessable', 'a pickup order has no address', 'address');
  }
  return address ?? null;
}

const parseAddress = (text: string | null): Address | null =>
  text === null ? null : (JSON.parse(text) as Address);

export function orderOut(row: OrderRow): OrderOut {
  return {
    id: row.id,
    facility_id: row.facility_id,
    type: row.type,
    items: JSON.parse(row.items) as Item[],
    total: row.total,
    currency: row.currency,
    status: row.status as OrderStatus,
    requested_time: row.requested_time,
    name: row.name,
    email: row.email,
    phone: row.phone,
    address: parseAddress(row.address),
    comment: row.comment,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function changesOf(patch: PatchOrderInput, before: OrderRow): ChangesOf<'productorders'> {
  const { items, address, type, requested_time, ...same } = patch;
  const changes: ChangesOf<'productorders'> = { ...same };
  if (items !== undefined) {
    changes.items = JSON.stringify(items);
    changes.total = totalOf(items);
  }
  if (requested_time) epochOf(requested_time, 'requested_time');
  if (requested_time !== undefined) changes.requested_time = requested_time;
  if (type !== undefined || address !== undefined) {
    const nextType = type ?? before.type;
    // Turning a delivery into a pickup drops its address unless the patch names one.
    const kept = type === 'pickup' ? null : parseAddress(before.address);
    const nextAddress = addressFor(nextType, address !== undefined ? address : kept);
    changes.type = nextType;
    changes.address = nextAddress === null ? null : JSON.stringify(nextAddress);
  }
  return changes;
}

const orderKind: ResourceKind<'productorders', OrderStatus, OrderOut> = {
  table: 'productorders',
  type: 'productorder',
  statuses: orderStatuses,
  events: {
    created: 'productorder_created',
    updated: 'productorder_updated',
    deleted: 'productorder_deleted',
  },
  conflict: 'the order changed meanwhile; fetch it again',
  out: orderOut,
  insert: insertOrder,
  columns: ORDER_COLUMNS,
};

export function ordersService(deps: ResourceDeps) {
  const mechanics = resourceMechanics(orderKind, deps);
  return {
    list(facilityId: string, query: OrderListInput) {
      const filter = { statuses: query.status, type: query.type };
      return mechanics.list(facilityId, query, (db, limit, offset) =>
        listOrders(db, facilityId, filter, limit, offset),
      );
    },

    get: mechanics.get,

    /** `run` is the transaction (with an Idempotency-Key, one that also claims the key). */
    create(facilityId: string, input: CreateOrderInput, run?: InTransaction) {
      const status = input.status ?? 'received';
      checkInitial(orderStatuses, status);
      const address = addressFor(input.type, input.address);
      if (input.requested_time) epochOf(input.requested_time, 'requested_time');
      const build = (now: number) => ({
        facility_id: facilityId,
        type: input.type,
        items: JSON.stringify(input.items),
        total: totalOf(input.items),
        currency: input.currency ?? 'EUR',
        status,
        requested_time: input.requested_time ?? null,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        address: address === null ? null : JSON.stringify(address),
        comment: input.comment ?? null,
        created_at: now,
        updated_at: now,
      });
      return mechanics.create(facilityId, build, run);
    },

    /** A move to `cancelled` is announced as productorder_deleted, as the webhook contract says. */
    update(facilityId: string, id: number, patch: PatchOrderInput): Promise<OrderOut> {
      return mechanics.update(facilityId, id, patch.status, (before) => changesOf(patch, before));
    },

    remove: mechanics.remove,
  };
}
