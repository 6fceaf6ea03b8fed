// Request ids: every request log line carries one (Fastify's reqId) and every answer echoes it
// in X-Request-Id. An incoming X-Request-Id from a proxy is kept when it is a short, safe
// token, so one id follows a request across systems; anything else is replaced, since the id
// lands in log lines verbatim.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const SAFE = /^[A-Za-z0-9._:-]{1,64}$/;
// Ids stay unique across processes that log to the same place.
const PROCESS = randomBytes(3).toString('hex');
let counter = 0;

export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && SAFE.test(incoming)) return incoming;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS}-${counter.toString(36)}`;
}

export function echoRequestIds(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every answer and has nothing to await.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
}
