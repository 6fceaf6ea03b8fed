// Every check a receiver needs, in the order that costs an attacker the most: credentials,
// then the signature over the raw bytes, and only then the body's content.
import { verifyBasicAuth } from './basic-auth.js';
import type { WebhookVerificationError } from './errors.js';
import { type HeaderSource, headerOf } from './headers.js';
import { type SignatureOptions, verifySignature } from './signature.js';
import { parseTrigger, type Trigger } from './trigger.js';

export interface ReceiverOptions extends SignatureOptions {
  /** The user name set on the webhook. */
  username: string;
  /** The password set on the webhook. */
  password: string;
  /**
   * The webhook's signing secret (`whsec_…`), or several while you rotate it. `null` skips the
   * signature check, for a webhook without a secret: say so explicitly.
   */
  secret: string | readonly string[] | null;
}

/** A request that passed every check. */
export interface WebhookEvent {
  trigger: Trigger;
  /** `webhook-id`: the same on every retry of one delivery; drop ids you have handled. */
  webhookId: string;
  /** `webhook-timestamp`, in seconds. */
  timestamp: number;
  /** A test trigger sent from the settings (`webhook-test: true`). */
  test: boolean;
}

/**
 * Checks Basic Auth, then the signature, then parses the trigger.
 *
 * @throws {WebhookVerificationError} with `status` 401 or 400.
 * @example
 * const { trigger, webhookId } = verifyRequest(options, { headers: req.headers, rawBody });
 */
export function verifyRequest(
  options: ReceiverOptions,
  request: { headers: HeaderSource; rawBody: string | Uint8Array },
): WebhookEvent {
  const { headers, rawBody } = request;
  verifyBasicAuth(headerOf(headers, 'authorization'), options.username, options.password);
  const signed =
    options.secret === null
      ? {
          id: headerOf(headers, 'webhook-id') ?? '',
          timestamp: Number(headerOf(headers, 'webhook-timestamp') ?? 0),
        }
      : verifySignature(options.secret, headers, rawBody, options);
  return {
    trigger: parseTrigger(rawBody),
    webhookId: signed.id,
    timestamp: signed.timestamp,
    test: headerOf(headers, 'webhook-test') === 'true',
  };
}

/** How to answer a refused request: 401 with a Basic challenge, or 400; a JSON error body. */
export function refusal(error: WebhookVerificationError): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (error.status === 401)
    headers['www-authenticate'] = 'Basic realm="tablehooks", charset="UTF-8"';
  const body = JSON.stringify({
    error: {
      code: error.reason,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    },
  });
  return { status: error.status, headers, body };
}
