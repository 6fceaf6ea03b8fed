import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

/** Cookie sessions for the UI; the UI issue provides the implementation. */
export interface SessionAuth {
  principalOf(request: FastifyRequest): Promise<Principal | undefined>;
}
