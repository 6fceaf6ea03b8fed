import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebhookVerificationError } from './errors.js';
import { type ReceiverOptions, refusal, verifyRequest, type WebhookEvent } from './verify.js';

export interface NodeReceiverOptions extends ReceiverOptions {
  /** The largest body read, in bytes (a trigger is under 200). Default 64 KiB. */
  bodyLimit?: number;
  /** Where a handler's error goes before the 500 answer. Default `console.error`. */
  onError?: (error: unknown) => void;
}

export type NodeWebhookHandler = (
  event: WebhookEvent,
  req: IncomingMessage,
  res: ServerResponse,
) => unknown;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads a request's body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 65_536): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function answer(res: ServerResponse, status: number, headers = {}, body = ''): void {
  res.writeHead(status, headers).end(body);
}

/**
 * A `node:http` request listener that answers anything but a genuine trigger (401 for wrong
 * credentials or signature, 400 for a bad body, 405 for other methods) and hands the handler
 * a verified, typed trigger. The handler may answer itself; if not, 204 is sent.
 *
 * @example
 * createServer(nodeReceiver({ username: 'zapier', password, secret }, async ({ trigger }) => {
 *   console.log(trigger.action, trigger.id);
 * })).listen(8080);
 */
export function nodeReceiver(
  options: NodeReceiverOptions,
  handler: NodeWebhookHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const onError = options.onError ?? console.error;
  const fail = (res: ServerResponse, error: unknown) => {
    onError(error);
    if (res.headersSent) res.destroy();
    else answer(res, 500);
  };
  return (req, res) => {
    void (async () => {
      if (req.method !== 'POST') return answer(res, 405, { allow: 'POST' });
      let event: WebhookEvent;
      try {
        const rawBody = await readBody(req, options.bodyLimit);
        event = verifyRequest(options, { headers: req.headers, rawBody });
      } catch (error) {
        if (error instanceof BodyTooLargeError) return answer(res, 413);
        if (!(error instanceof WebhookVerificationError)) throw error;
        const refused = refusal(error);
        return answer(res, refused.status, refused.headers, refused.body);
      }
      await handler(event, req, res);
      if (!res.headersSent) answer(res, 204);
    })().catch((error) => fail(res, error));
  };
}
