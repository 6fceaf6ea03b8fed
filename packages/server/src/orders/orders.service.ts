import type { AppDeps } from '../app.js';
import { facilityMustExist, notFoundIn } from '../core/facility-scope.js';
import { epochOf } from '../core/fields.js';
import { checkChange, checkInitial, type StatusMachine } from '../core/status-machine.js';
import { AppError, notFound } from '../errors.js';
import type { EventName } from '../events/event-names.js';
import { withEvents } from '../events/outbox.js';
import { iso, page } from '../http/schemas.js';
import { type InTransaction, outboxTransaction } from '../idempotency/in-transaction.js';
import {
  deleteOrder,
  findOrder,
  insertOrder,
  listOrders,
  type OrderChanges,
  type OrderRow,
  updateOrder,
} from './orders.repository.js';
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

function changesOf(patch: PatchOrderInput, before: OrderRow): OrderChanges {
  const { items, address, type, requested_time, ...same } = patch;
  const changes: OrderChanges = { ...same };
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

export function ordersService(deps: AppDeps) {
  const { store, clock } = deps;
  const event = (facilityId: string, id: number, name: EventName) => ({
    facilityId,
    resourceType: 'productorder' as const,
    resourceId: id,
    event: name,
    source: 'api' as const,
  });

  return {
    async list(facilityId: string, query: OrderListInput) {
      await facilityMustExist(store.db, facilityId);
      const { limit, offset } = page(query);
      const filter = { statuses: query.status, type: query.type };
      const { rows, total } = await listOrders(store.db, facilityId, filter, limit, offset);
      return {
        objects: rows.map(orderOut),
        meta: { limit, offset, total_count: total },
      };
    },

    async get(facilityId: string, id: number): Promise<OrderOut> {
      const row = await findOrder(store.db, facilityId, id);
      if (!row) throw await notFoundIn(store.db, facilityId, 'product order');
      return orderOut(row);
    },

    /** `run` is the transaction (with an Idempotency-Key, one that also claims the key). */
    async create(
      facilityId: string,
      input: CreateOrderInput,
      run: InTransaction = outboxTransaction(deps),
    ): Promise<OrderOut> {
      const status = input.status ?? 'received';
      checkInitial(orderStatuses, status);
      const address = addressFor(input.type, input.address);
      if (input.requested_time) epochOf(input.requested_time, 'requested_time');
      const now = clock.now();
      return run(async (trx, emit) => {
        const created = await insertOrder(trx, {
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
        if (!created) throw notFound('facility');
        await emit(event(facilityId, created.id, 'productorder_created'));
        return orderOut(created);
      });
    },

    /** A move to `cancelled` is announced as productorder_deleted, as the webhook contract says. */
    async update(facilityId: string, id: number, patch: PatchOrderInput): Promise<OrderOut> {
      const row = await withEvents(deps, async (trx, emit) => {
        const before = await findOrder(trx, facilityId, id);
        if (!before) throw await notFoundIn(trx, facilityId, 'product order');
        checkChange(orderStatuses, before.status as OrderStatus, patch.status);
        const after = await updateOrder(trx, facilityId, id, before.status, {
          ...changesOf(patch, before),
          updated_at: clock.now(),
        });
        if (!after) {
          throw new AppError('conflict', 'the order changed meanwhile; fetch it again', 'status');
        }
        const cancelled = after.status === 'cancelled';
        await emit(
          event(facilityId, id, cancelled ? 'productorder_deleted' : 'productorder_updated'),
        );
        return after;
      });
      return orderOut(row);
    },

    async remove(facilityId: string, id: number): Promise<void> {
      await withEvents(deps, async (trx, emit) => {
        if (!(await deleteOrder(trx, facilityId, id))) {
          throw await notFoundIn(trx, facilityId, 'product order');
        }
        await emit(event(facilityId, id, 'productorder_deleted'));
      });
    },
  };
}
