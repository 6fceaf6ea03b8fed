import type { IncomingHttpHeaders } from 'node:http';
import { WebhookVerificationError } from './errors.js';
import { type ReceiverOptions, refusal, verifyRequest, type WebhookEvent } from './verify.js';

// The parts of Fastify this plugin uses, typed structurally so that Fastify stays out of
// this package's dependencies. Method syntax on purpose: its parameters are compared
// bivariantly, so Fastify's own (richer) types fit, and a handler may be annotated with them.
export interface FastifyRequestLike {
  headers: IncomingHttpHeaders;
  body: unknown;
}
export interface FastifyReplyLike {
  sent: boolean;
  code(status: number): this;
  headers(values: Record<string, string>): this;
  send(payload?: string): this;
}
interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    options: { parseAs: 'buffer' },
    parser: (request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) => void,
  ): void;
  post(
    path: string,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
}

export interface FastifyReceiverOptions extends ReceiverOptions {
  /** The route, inside the prefix the plugin is registered with. Default `/`. */
  path?: string;
  /** Called with every verified trigger; if it sends no reply, 204 is sent. */
  handler(event: WebhookEvent, request: FastifyRequestLike, reply: FastifyReplyLike): unknown;
}

/**
 * A Fastify plugin serving one POST route that checks Basic Auth and the signature and hands
 * the handler a typed trigger. The signature covers the raw bytes, so inside its own
 * encapsulated context it replaces the body parsers with one that keeps the body as a
 * Buffer (`addContentTypeParser('*', { parseAs: 'buffer' }, …)`); the rest of the app keeps
 * parsing JSON as before.
 *
 * @example
 * await app.register(fastifyReceiver, {
 *   path: '/tablehooks', username: 'zapier', password, secret,
 *   handler: async ({ trigger }) => { await queue.add(trigger); },
 * });
 */
export async function fastifyReceiver(
  app: FastifyLike,
  options: FastifyReceiverOptions,
): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(options.path ?? '/', async (request, reply) => {
    let event: WebhookEvent;
    try {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      event = verifyRequest(options, { headers: request.headers, rawBody });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      const refused = refusal(error);
      return reply.code(refused.status).headers(refused.headers).send(refused.body);
    }
    await options.handler(event, request, reply);
    if (!reply.sent) return reply.code(204).send();
    return reply;
  });
}
