// Builds the exact request for one delivery of one webhook: the three-field body, Basic
// Auth, and the technical headers (Standard Webhooks id, timestamp and signature; the
// resource's sequence and its details link; the test mark).
import type { ResourceType } from '../db/schema.js';
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
  /** `<{public}/v1/facility/{fid}/bookings/` and likewise for orders: the Link header's start. */
  linkPrefix: Record<ResourceType, string>;
  /** A failed delivery older than this (from its newest event) is not retried; undefined: no limit. */
  maxAgeMs: number | undefined;
}

export const USER_AGENT = `tablehooks/${version}`;

/** Where a receiver fetches a resource's details: the path segment per resource type. */
const RESOURCE_PATHS: Record<ResourceType, string> = {
  booking: 'bookings',
  productorder: 'productorders',
};

/** Decrypts once per batch, not once per delivery. `publicUrl` has no trailing slash. */
export function prepareTarget(t: WebhookTarget, box: SecretBox, publicUrl: string): PreparedTarget {
  const facility = `${publicUrl}/v1/facility/${encodeURIComponent(t.facility_id)}`;
  return {
    id: t.id,
    url: t.url,
    authorization: basicAuth(t.username, box.open(t.password_enc, t.id)),
    signingKey: t.signing_secret_enc ? signingKey(box.open(t.signing_secret_enc, t.id)) : undefined,
    linkPrefix: {
      booking: `<${facility}/${RESOURCE_PATHS.booking}/`,
      productorder: `<${facility}/${RESOURCE_PATHS.productorder}/`,
    },
    maxAgeMs: t.max_age_hours === null ? undefined : t.max_age_hours * 3_600_000,
  };
}

export interface RequestDelivery {
  id: string;
  resource_type: ResourceType;
  resource_id: number;
  facility_id: string;
  event: string;
  is_test: number;
  sequence: number;
}

export function buildRequest(
  target: PreparedTarget,
  delivery: RequestDelivery,
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
    // Per webhook and resource, from 1: a receiver that fetched newer details can drop an
    // older trigger that arrives late (a retry).
    'webhook-sequence': String(delivery.sequence),
    link: `${target.linkPrefix[delivery.resource_type]}${delivery.resource_id}>; rel="related"`,
  };
  // The body of a test is a normal trigger; this header is how a receiver tells them apart.
  if (delivery.is_test) headers['webhook-test'] = 'true';
  if (target.signingKey)
    headers['webhook-signature'] = signWithKey(target.signingKey, delivery.id, timestamp, body);
  return { headers, body };
}
