// Builds the exact request for one delivery of one webhook.
import type { SecretBox } from '../security/secret-box.js';
import { version } from '../version.js';
import { basicAuth, triggerBody } from './payload.js';
import { signingKey, signWithKey } from './signature.js';
import type { WebhookTarget } from './sql/load-webhooks.js';

export interface PreparedTarget {
  id: string;
  url: string;
  authorization: string;
  signingKey: Buffer | undefined;
}

export const USER_AGENT = `tablehooks/${version}`;

/** Decrypts once per batch, not once per delivery. */
export function prepareTarget(t: WebhookTarget, box: SecretBox): PreparedTarget {
  return {
    id: t.id,
    url: t.url,
    authorization: basicAuth(t.username, box.open(t.password_enc, t.id)),
    signingKey: t.signing_secret_enc ? signingKey(box.open(t.signing_secret_enc, t.id)) : undefined,
  };
}

export function buildRequest(
  target: PreparedTarget,
  delivery: {
    id: string;
    resource_id: number;
    facility_id: string;
    event: string;
    is_test: number;
  },
  nowMs: number,
): { headers: Record<string, string>; body: string } {
  const body = triggerBody(
    delivery.resource_id,
    delivery.facility_id,
    delivery.event.toUpperCase(),
  );
  const timestamp = Math.floor(nowMs / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: target.authorization,
    'user-agent': USER_AGENT,
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
  };
  // The body of a test is a normal trigger; this header is how a receiver tells them apart.
  if (delivery.is_test) headers['webhook-test'] = 'true';
  if (target.signingKey)
    headers['webhook-signature'] = signWithKey(target.signingKey, delivery.id, timestamp, body);
  return { headers, body };
}
