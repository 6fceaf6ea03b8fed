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
  /** Undefined for a subscription without credentials (username ''): its URL is the secret. */
  authorization: string | undefined;
  /**
   * While Basic-Auth credentials rotate: the previous ones, sent again at once when the
   * receiver refuses the new ones (401/403).
   */
  fallbackAuthorization: string | undefined;
  /** The current signing secret's key, then a rotated-out one while it is still signed with. */
  signingKeys: Buffer[];
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

/**
 * Decrypts once per batch, not once per delivery. `publicUrl` has no trailing slash; `now`
 * decides whether rotated-out secrets and credentials are still in their overlap.
 */
export function prepareTarget(
  t: WebhookTarget,
  box: SecretBox,
  publicUrl: string,
  now: number,
): PreparedTarget {
  const facility = `${publicUrl}/v1/facility/${encodeURIComponent(t.facility_id)}`;
  const signingKeys: Buffer[] = [];
  if (t.signing_secret_enc) signingKeys.push(signingKey(box.open(t.signing_secret_enc, t.id)));
  if (t.previous_signing_secret_enc && (t.previous_signing_secret_until ?? 0) > now) {
    signingKeys.push(signingKey(box.open(t.previous_signing_secret_enc, t.id)));
  }
  const fallback =
    t.previous_password_enc &&
    t.previous_username !== null &&
    (t.previous_credentials_until ?? 0) > now
      ? basicAuth(t.previous_username, box.open(t.previous_password_enc, t.id))
      : undefined;
  return {
    id: t.id,
    url: t.url,
    authorization:
      t.username === '' ? undefined : basicAuth(t.username, box.open(t.password_enc, t.id)),
    fallbackAuthorization: fallback,
    signingKeys,
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
    'user-agent': USER_AGENT,
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    // Per webhook and resource, from 1: a receiver that fetched newer details can drop an
    // older trigger that arrives late (a retry).
    'webhook-sequence': String(delivery.sequence),
    link: `${target.linkPrefix[delivery.resource_type]}${delivery.resource_id}>; rel="related"`,
  };
  if (target.authorization !== undefined) headers.authorization = target.authorization;
  // The body of a test is a normal trigger; this header is how a receiver tells them apart.
  if (delivery.is_test) headers['webhook-test'] = 'true';
  // During a secret's rotation both signatures go in, space-separated, as the Standard
  // Webhooks spec allows: a receiver with either secret verifies it.
  const keys = target.signingKeys;
  if (keys.length === 1) {
    headers['webhook-signature'] = signWithKey(keys[0]!, delivery.id, timestamp, body);
  } else if (keys.length > 1) {
    headers['webhook-signature'] = keys
      .map((key) => signWithKey(key, delivery.id, timestamp, body))
      .join(' ');
  }
  return { headers, body };
}

/**
 * Prepared targets kept between claims, per webhook: decrypting the credentials and the
 * signing secrets, encoding Basic Auth and building the Link prefixes cost more than a claim's
 * share of a delivery with one webhook (docs/performance.md, "Third pass"). The webhook row is
 * still read fresh every claim, so an edit applies at once: an entry is used only while the
 * row's fingerprint (its URL, user name, every sealed secret and every rotation deadline) and
 * the public URL are the same, and only until the next rotation deadline passes (then the
 * rotated-out secret or credentials must drop out). A sealed value is re-encrypted with a
 * fresh nonce on every change, so a PATCH or a rotation always changes the fingerprint.
 */
export class PreparedTargets {
  private readonly entries = new Map<
    string,
    { fingerprint: string; validUntil: number; prepared: PreparedTarget }
  >();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(t: WebhookTarget, box: SecretBox, publicUrl: string, now: number): PreparedTarget {
    const fingerprint = fingerprintOf(t, publicUrl);
    const hit = this.entries.get(t.id);
    if (hit && hit.fingerprint === fingerprint && now < hit.validUntil) return hit.prepared;
    // Throws when the secrets don't open; nothing is kept then, the next claim tries again.
    const prepared = prepareTarget(t, box, publicUrl, now);
    if (hit) this.entries.delete(t.id);
    else if (this.entries.size >= this.maxEntries) {
      // The oldest entry (Maps keep insertion order): memory stays bounded with many webhooks.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(t.id, { fingerprint, validUntil: nextDeadline(t, now), prepared });
    return prepared;
  }
}

function fingerprintOf(t: WebhookTarget, publicUrl: string): string {
  return [
    publicUrl,
    t.facility_id,
    t.url,
    t.username,
    t.password_enc,
    t.signing_secret_enc,
    t.max_age_hours,
    t.previous_signing_secret_enc,
    t.previous_signing_secret_until,
    t.previous_username,
    t.previous_password_enc,
    t.previous_credentials_until,
  ].join('\u0000');
}

/** When the prepared target stops being right by time alone: a rotation's overlap ends. */
function nextDeadline(t: WebhookTarget, now: number): number {
  let until = Number.POSITIVE_INFINITY;
  for (const at of [t.previous_signing_secret_until, t.previous_credentials_until]) {
    if (at !== null && at > now && at < until) until = at;
  }
  return until;
}
