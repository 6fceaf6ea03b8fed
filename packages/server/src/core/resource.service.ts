// The mechanics of a facility's resource (a booking, a product order): get, list a page,
// create, change under the status machine, delete, each change announced by its event in
// the same transaction. A resource brings its differences as data (ResourceKind) and as the
// few functions that build its rows; DESIGN fixes two resources, so this is no engine.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ColumnTypes } from '../db/insert-in-facility.js';
import type { Database, ResourceType } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import type { EventName } from '../events/event-names.js';
import { createWithEvent, type OutboxDeps, withEvents } from '../events/outbox.js';
import { type InTransaction, outboxTransaction } from '../idempotency/in-transaction.js';
import { facilityMustExist, notFoundIn } from './facility-scope.js';
import { page } from './paging.js';
import {
  type ChangesOf,
  deleteIn,
  findIn,
  type ResourceTable,
  type RowOf,
  updateIfStatus,
} from './resource.repository.js';
import { checkChange, type StatusMachine } from './status-machine.js';

export interface ResourceKind<T extends ResourceTable, S extends string, Out> {
  table: T;
  type: ResourceType;
  /** Its status machine; `statuses.what` names it in errors ("booking", "product order"). */
  statuses: StatusMachine<S>;
  events: { created: EventName; updated: EventName; deleted: EventName };
  /** The 409 when a concurrent change moved its status first. */
  conflict: string;
  out(row: RowOf<T>): Out;
  /** Inserts the row unless the facility is missing (undefined), in one statement. */
  insert(db: Kysely<Database>, row: Omit<RowOf<T>, 'id'>): Promise<RowOf<T> | undefined>;
  /** Its columns' types: a creation with its event may be one statement (outbox.ts). */
  columns: ColumnTypes<T>;
}

/** What a resource's service needs: the store's db, the clock, and the outbox. */
export interface ResourceDeps extends OutboxDeps {
  store: { db: Kysely<Database> };
  clock: Clock;
}

export interface Page<Out> {
  objects: Out[];
  meta: { limit: number; offset: number; total_count: number };
}

export function resourceMechanics<T extends ResourceTable, S extends string, Out>(
  kind: ResourceKind<T, S, Out>,
  deps: ResourceDeps,
) {
  const { store, clock } = deps;
  const what = kind.statuses.what;
  const event = (facilityId: string, id: number, name: EventName) => ({
    facilityId,
    resourceType: kind.type,
    resourceId: id,
    event: name,
    source: 'api' as const,
  });

  return {
    async list(
      facilityId: string,
      query: { limit?: number | undefined; offset?: number | undefined },
      rows: (
        db: Kysely<Database>,
        limit: number,
        offset: number,
      ) => Promise<{ rows: RowOf<T>[]; total: number }>,
    ): Promise<Page<Out>> {
      await facilityMustExist(store.db, facilityId);
      const { limit, offset } = page(query);
      const found = await rows(store.db, limit, offset);
      return {
        objects: found.rows.map((row) => kind.out(row)),
        meta: { limit, offset, total_count: found.total },
      };
    },

    async get(facilityId: string, id: number): Promise<Out> {
      const row = await findIn(store.db, kind.table, facilityId, id);
      if (!row) throw await notFoundIn(store.db, facilityId, what);
      return kind.out(row);
    },

    /**
     * Inserts the row `build` makes and emits the created event. `run` is the transaction
     * (with an Idempotency-Key, one that also claims the key); without one, the creation may
     * be a single statement (outbox.ts, createWithEvent).
     */
    async create(
      facilityId: string,
      build: (now: number) => Omit<RowOf<T>, 'id'>,
      run?: InTransaction,
    ): Promise<Out> {
      const row = build(clock.now());
      if (!run) {
        const created = await createWithEvent(deps, {
          table: kind.table,
          columns: kind.columns,
          row,
          resourceType: kind.type,
          event: kind.events.created,
        });
        if (created === null) throw notFound('facility');
        if (created) return kind.out(created as RowOf<T>);
      }
      return (run ?? outboxTransaction(deps))(async (trx, emit) => {
        const created = await kind.insert(trx, row);
        if (!created) throw notFound('facility');
        await emit(event(facilityId, created.id, kind.events.created));
        return kind.out(created);
      });
    },

    /**
     * Checks the move against the status machine, applies `changes` if nobody moved the
     * status meanwhile, and emits the updated event, or the deleted one for a move to
     * `cancelled`: for the receiver the resource is gone.
     */
    async update(
      facilityId: string,
      id: number,
      to: S | undefined,
      changes: (before: RowOf<T>) => ChangesOf<T>,
    ): Promise<Out> {
      const row = await withEvents(deps, async (trx, emit) => {
        const before = await findIn(trx, kind.table, facilityId, id);
        if (!before) throw await notFoundIn(trx, facilityId, what);
        checkChange(kind.statuses, before.status as S, to);
        const expected = { facilityId, id, expectedStatus: before.status };
        const after = await updateIfStatus(trx, kind.table, expected, {
          ...changes(before),
          updated_at: clock.now(),
        });
        if (!after) throw new AppError('conflict', kind.conflict, 'status');
        const cancelled = after.status === 'cancelled';
        await emit(event(facilityId, id, cancelled ? kind.events.deleted : kind.events.updated));
        return after;
      });
      return kind.out(row);
    },

    async remove(facilityId: string, id: number): Promise<void> {
      await withEvents(deps, async (trx, emit) => {
        if (!(await deleteIn(trx, kind.table, facilityId, id))) {
          throw await notFoundIn(trx, facilityId, what);
        }
        await emit(event(facilityId, id, kind.events.deleted));
      });
    },
  };
}
