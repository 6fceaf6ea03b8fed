// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 of
// "<webhook-id>.<webhook-timestamp>.<raw body>" keyed with the base64 secret after "whsec_",
// sent as "v1,<base64>"; several may share the header, separated by spaces.
import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import { type HeaderSource, headerOf } from './headers.js';
import { safeEqual } from './safe-equal.js';

const PREFIX = 'whsec_';

export interface SignatureOptions {
  /** How far `webhook-timestamp` may be from now, either way (replays, skewed clocks). Default 300. */
  toleranceSeconds?: number;
  /** The clock, in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: () => number;
}

/** The verified `webhook-id` (stable across retries: use it to drop duplicates) and timestamp. */
export interface SignedMessage {
  id: string;
  timestamp: number;
}

function keyOf(secret: string): Buffer {
  const base64 = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = Buffer.from(base64, 'base64');
  // A configuration mistake, not a bad request: a TypeError, so it is not answered 401.
  if (key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new TypeError('the signing secret must be "whsec_" followed by base64');
  }
  return key;
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/**
 * Signs a message as tablehooks does: for receivers' own tests.
 *
 * @example
 * const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts),
 *   'webhook-signature': sign(secret, 'msg_1', ts, body) };
 */
export function sign(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestampSeconds}.`)
    .update(bytesOf(body))
    .digest('base64');
  return `v1,${mac}`;
}

function timestampOf(value: string, options: SignatureOptions): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new WebhookVerificationError('malformed_timestamp', 'webhook-timestamp is not a number');
  }
  const timestamp = Number(value);
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (timestamp < now - tolerance) {
    throw new WebhookVerificationError('timestamp_too_old', 'webhook-timestamp is too old');
  }
  if (timestamp > now + tolerance) {
    throw new WebhookVerificationError('timestamp_too_new', 'webhook-timestamp is in the future');
  }
  return timestamp;
}

/**
 * Checks the `webhook-signature` header of a request against the raw body, exactly as it
 * arrived (before any JSON parsing). Pass several secrets while you rotate yours.
 *
 * @throws {WebhookVerificationError} `missing_signature_headers`, `malformed_timestamp`,
 *   `timestamp_too_old`, `timestamp_too_new` or `no_matching_signature`.
 * @throws {TypeError} when a secret is not `whsec_` + base64.
 * @example
 * const { id } = verifySignature(process.env.WEBHOOK_SECRET!, req.headers, rawBody);
 */
export function verifySignature(
  secret: string | readonly string[],
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  options: SignatureOptions = {},
): SignedMessage {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('no signing secret given');
  const id = headerOf(headers, 'webhook-id');
  const stamp = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  if (!id || !stamp || !signatures) {
    throw new WebhookVerificationError(
      'missing_signature_headers',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  const timestamp = timestampOf(stamp, options);
  const expected = secrets.map((s) => sign(s, id, timestamp, rawBody));
  // Other versions (e.g. "v1a," asymmetric signatures) are skipped, as the spec says.
  const given = signatures.split(' ').filter((s) => s.startsWith('v1,'));
  if (!given.some((g) => expected.some((e) => safeEqual(g, e)))) {
    throw new WebhookVerificationError('no_matching_signature', 'no signature matches');
  }
  return { id, timestamp };
}
