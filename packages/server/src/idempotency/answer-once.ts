// The HTTP side of Idempotency-Key: the header's schema (validated where it enters, shown in
// OpenAPI), who the key belongs to, and the answer, first or replayed.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { requestFingerprint } from './fingerprint.js';
import { IDEMPOTENCY_HEADER, idempotentTransaction, Replay } from './idempotency.js';
import type { InTransaction } from './in-transaction.js';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

export const IdempotencyHeaders = Type.Object({
  [IDEMPOTENCY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      // Visible ASCII: what UUIDs, ULIDs and the usual random tokens are made of.
      pattern: '^[!-~]+$',
      description:
        'Makes a retry safe: a request repeated with the same key and the same body within 24 ' +
        'hours creates nothing and answers what the first one answered, with the header ' +
        `${REPLAYED_HEADER}: true. The same key with another body answers 409. Up to 255 ` +
        'visible ASCII characters, e.g. a UUID; keys belong to the facility and the API key ' +
        '(or user) that sent them.',
    }),
  ),
});

export const idempotencyDescription = `Send an ${IDEMPOTENCY_HEADER} header to make retries safe (see the header's description).`;

/**
 * Keys are scoped by facility and by who sent them: two integrations of one restaurant that
 * happen to pick the same key (a counter, a date) must neither get each other's answer nor
 * have their own create silently skipped.
 */
function principalName(p: Principal): string {
  if (p.kind === 'api_key') return `key:${p.keyId}`;
  if (p.kind === 'user') return `user:${p.userId}`;
  return 'operator';
}

/**
 * Answers a create with `status`. Without the header, `create` runs in a plain transaction;
 * with it, in one that claims the key (idempotency.ts), and a retry gets the first answer.
 */
export async function answerOnce<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: { facilityId: string; status: number },
  create: (run?: InTransaction) => Promise<T>,
): Promise<FastifyReply> {
  const { facilityId, status } = answer;
  const key = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
  if (typeof key !== 'string') return reply.status(status).send(await create());
  const principal = await principalOf(request);
  if (!principal) throw new Error('answerOnce runs after authentication');
  const run = idempotentTransaction(request.server.deps, {
    facilityId,
    principal: principalName(principal),
    key,
    fingerprint: requestFingerprint(request.method, request.routeOptions.url ?? '', request.body),
    status,
  });
  try {
    return reply.status(status).send(await create(run));
  } catch (err) {
    if (!(err instanceof Replay)) throw err;
    return reply.status(err.status).header(REPLAYED_HEADER, 'true').send(err.body);
  }
}
