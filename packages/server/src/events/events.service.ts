// Events pushed by the platform's own booking system: the resource lives there, so only the
// facility is checked here; the event then fans out exactly like one made through our API.

import type { ResourceType } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { type InTransaction, outboxTransaction } from '../idempotency/in-transaction.js';
import { EVENTS, type EventName, resourceTypeOf } from './event-names.js';
import { ingestWithEvent, type OutboxDeps } from './outbox.js';

export const ACTIONS = EVENTS.map((e) => e.toUpperCase());

export interface IngestInput {
  id: number;
  type: ResourceType;
  action: string;
}

export interface Ingested extends IngestInput {
  event_id: number;
  facility_id: string;
}

/** What the service needs, and all it may touch. */
export type EventsDeps = OutboxDeps;

export function eventsService(deps: EventsDeps) {
  return {
    /**
     * `run` is the transaction (with an Idempotency-Key, one that also claims the key);
     * without one, a creation may be a single statement (outbox.ts, ingestWithEvent).
     */
    async ingest(facilityId: string, input: IngestInput, run?: InTransaction): Promise<Ingested> {
      const event = input.action.toLowerCase() as EventName;
      if (!EVENTS.includes(event) || resourceTypeOf(event) !== input.type) {
        throw new AppError(
          'unprocessable',
          `${input.action} is not an action on a ${input.type}`,
          'action',
        );
      }
      const answer = (eventId: number) => ({
        event_id: eventId,
        facility_id: facilityId,
        ...input,
      });
      if (!run) {
        const one = { facilityId, resourceType: input.type, resourceId: input.id, event };
        const ingested = await ingestWithEvent(deps, one);
        if (ingested === null) throw notFound('facility');
        if (ingested) return answer(ingested.eventId);
      }
      // No such facility: emit answers 404 (its insert checks), and nothing is recorded.
      return (run ?? outboxTransaction(deps))(async (_trx, emit) => {
        const { eventId } = await emit({
          facilityId,
          resourceType: input.type,
          resourceId: input.id,
          event,
          source: 'ingest',
        });
        return answer(eventId);
      });
    },
  };
}
