// How a create runs its change and its event: in one outbox transaction, or in one that also
// claims an Idempotency-Key (idempotency.ts). The services take either, so the key's row and
// the change commit together.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { type Emit, type OutboxDeps, withEvents } from '../events/outbox.js';

export type Work<T> = (trx: Transaction<Database>, emit: Emit) => Promise<T>;

/** Runs `work` (whose result is the answer's body) in one transaction with its events. */
export type InTransaction = <T>(work: Work<T>) => Promise<T>;

export const outboxTransaction =
  (deps: OutboxDeps): InTransaction =>
  (work) =>
    withEvents(deps, work);
