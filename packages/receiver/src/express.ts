import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookVerificationError } from './errors.js';
import { answer, BodyTooLargeError, readBody } from './node.js';
import { type ReceiverOptions, refusal, verifyRequest, type WebhookEvent } from './verify.js';

// Express's Request and Response extend these Node types; typing them structurally keeps
// Express out of this package's dependencies.
type Req = IncomingMessage & { body?: unknown };

export interface ExpressReceiverOptions extends ReceiverOptions {
  /** The largest body read when this middleware reads the stream itself. Default 64 KiB. */
  bodyLimit?: number;
}

export type ExpressWebhookHandler<Q extends Req, S extends ServerResponse> = (
  event: WebhookEvent,
  req: Q,
  res: S,
) => unknown;

async function rawBodyOf(req: Req, limit: number | undefined): Promise<Buffer | string> {
  if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return req.body;
  // No body parser ran (or one skipped this content type): the stream is still unread.
  if (!req.readableEnded) return readBody(req, limit);
  throw new Error(
    'tablehooks: the body was already parsed, so its signature cannot be checked; mount ' +
      "express.raw({ type: '*/*' }) (or no body parser) on the webhook route",
  );
}

/**
 * An Express middleware: checks Basic Auth and the signature over the raw body, parses the
 * trigger and calls the handler with it. Works with `express.raw()` on the route or with no
 * body parser at all. Refusals are answered here (401, 400); a handler's error goes to `next`;
 * a handler that has not answered when it returns (or its promise settles) gets 204 sent.
 *
 * @example
 * app.post('/tablehooks', expressReceiver({ username: 'zapier', password, secret },
 *   async ({ trigger }, req, res) => { await queue.add(trigger); res.sendStatus(204); }));
 */
export function expressReceiver<Q extends Req, S extends ServerResponse>(
  options: ExpressReceiverOptions,
  handler: ExpressWebhookHandler<Q, S>,
): (req: Q, res: S, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    void (async () => {
      let event: WebhookEvent;
      try {
        const rawBody = await rawBodyOf(req, options.bodyLimit);
        event = verifyRequest(options, { headers: req.headers, rawBody });
      } catch (error) {
        if (error instanceof BodyTooLargeError) return answer(res, 413);
        if (!(error instanceof WebhookVerificationError)) return next(error);
        const refused = refusal(error);
        return answer(res, refused.status, refused.headers, refused.body);
      }
      await handler(event, req, res);
      if (!res.headersSent) answer(res, 204);
    })().catch(next);
  };
}
