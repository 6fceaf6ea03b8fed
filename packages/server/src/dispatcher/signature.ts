// Standard Webhooks signatures: HMAC-SHA256 over "<webhook-id>.<timestamp>.<body>" with the
// base64 secret after "whsec_", sent as "v1,<base64>".
import { createHmac } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(bytes: Buffer): string {
  return `${SECRET_PREFIX}${bytes.toString('base64')}`;
}

/** The HMAC key of a secret; decoded once per target and batch, not once per delivery. */
export function signingKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

export function signWithKey(
  key: Buffer,
  msgId: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', key)
    .update(`${msgId}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

export function sign(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): string {
  return signWithKey(signingKey(secret), msgId, timestampSeconds, body);
}
