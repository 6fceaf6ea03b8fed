// Idempotency-Key: a retried create answers what the first one answered, and changes nothing.
//
// The key's row is claimed first inside the transaction that makes the change and emits its
// event, and the answer is written into it before that transaction commits. So:
// - a crash, or a change refused with a 4xx, rolls the key back with it: no key is ever left
//   "in progress", and a refused request may be sent again with the same key;
// - two requests racing with one key meet on the primary key: on PostgreSQL the second insert
//   waits until the first transaction ends and then finds its answer; on SQLite transactions
//   run one at a time. Either way one booking, one event, one trigger.
// A replay also commits its (empty) transaction rather than rolling it back: on SQLite that
// makes it wait for the same group commit as the first request, so its 2xx, like the first's,
// means on disk.
import type { Clock } from '../clock.js';
import { AppError, notFound } from '../errors.js';
import type { OutboxDeps } from '../events/outbox.js';
import { claimKey, type KeyRow, type KeyScope, recordAnswer } from './idempotency.repository.js';
import { type InTransaction, outboxTransaction } from './in-transaction.js';

/** How long a key's first answer is kept, and the key can't be used for another request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface IdempotentCall extends KeyScope {
  fingerprint: string;
  /** The status of a first, successful answer (201, 202). */
  status: number;
}

/** The first answer, found for a retry; thrown by the runner, caught by answerOnce. */
export class Replay {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

function replayOf(row: KeyRow, call: IdempotentCall): Replay {
  if (row.fingerprint !== call.fingerprint) {
    throw new AppError(
      'conflict',
      `this ${IDEMPOTENCY_HEADER} was already used for another request (a different body or ` +
        'route) in the last 24 hours; send a new key for a new request',
      IDEMPOTENCY_HEADER,
    );
  }
  if (row.status_code === null || row.response === null) {
    // Not reachable while claim and answer share one transaction; kept so that a future
    // change to that can't turn into a replay of nothing.
    throw new AppError(
      'conflict',
      `a request with this ${IDEMPOTENCY_HEADER} is still in progress; retry shortly`,
      IDEMPOTENCY_HEADER,
    );
  }
  return new Replay(row.status_code, JSON.parse(row.response));
}

/** A transaction runner that claims the key first and records the work's result as the answer. */
export function idempotentTransaction(
  deps: OutboxDeps & { clock: Clock },
  call: IdempotentCall,
): InTransaction {
  const plain = outboxTransaction(deps);
  return async (work) => {
    let replay: Replay | undefined;
    const body = await plain(async (trx, emit) => {
      const now = deps.clock.now();
      const earlier = await claimKey(trx, call, call.fingerprint, now, now + IDEMPOTENCY_TTL_MS);
      if (earlier === 'no_facility') throw notFound('facility');
      if (earlier !== 'claimed') {
        replay = replayOf(earlier, call);
        return undefined;
      }
      const answer = await work(trx, emit);
      await recordAnswer(trx, call, call.status, JSON.stringify(answer));
      return answer;
    });
    if (replay) throw replay;
    // Only undefined when a replay was found, which threw above.
    return body as NonNullable<typeof body>;
  };
}
