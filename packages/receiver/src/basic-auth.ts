import { WebhookVerificationError } from './errors.js';
import { safeEqual } from './safe-equal.js';

// RFC 7617: the scheme is case-insensitive; the token is standard base64 with padding.
const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(header: string): { username: string; password: string } {
  const token = BASIC.exec(header)?.[1];
  const bytes = token && token.length % 4 === 0 ? Buffer.from(token, 'base64') : undefined;
  let text: string | undefined;
  try {
    text = bytes && utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  // The user name ends at the first colon; the password may contain more of them.
  const colon = text?.indexOf(':') ?? -1;
  if (text === undefined || colon < 0) {
    throw new WebhookVerificationError(
      'malformed_authorization',
      'the Authorization header is not "Basic base64(username:password)"',
    );
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Checks an `Authorization: Basic …` header against the webhook's user name and password
 * (UTF-8, as tablehooks sends them). Both are compared in constant time, and both are always
 * compared: a wrong user name takes as long as a wrong password.
 *
 * @throws {WebhookVerificationError} `missing_authorization`, `malformed_authorization` or
 *   `wrong_credentials`.
 * @example
 * verifyBasicAuth(req.headers.authorization, 'zapier', process.env.WEBHOOK_PASSWORD!);
 */
export function verifyBasicAuth(
  header: string | null | undefined,
  username: string,
  password: string,
): void {
  if (!header) {
    throw new WebhookVerificationError('missing_authorization', 'no Authorization header');
  }
  const given = decode(header);
  const userOk = safeEqual(given.username, username);
  const passwordOk = safeEqual(given.password, password);
  if (!(userOk && passwordOk)) {
    throw new WebhookVerificationError('wrong_credentials', 'wrong user name or password');
  }
}
