// What a receiver answered, made fit to store in the delivery log: no NUL bytes, and none
// of the credentials we sent it.
/**
 * Text as every store takes it: PostgreSQL refuses NUL in a text column, and one such answer
 * would fail the whole batch of outcomes it is written with, again and again.
 */
export function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * The answer with our own credentials blanked out. Some receivers echo the request back
 * (debugging endpoints, proxies' error pages); stored as is, the attempt log would hand the
 * write-only password to anyone who can read the delivery log.
 */
export function withoutCredentials(text: string, authorization: string | undefined): string {
  // Most answers are a few bytes ("ok"): too short to hold any secret of 4 or more.
  if (text.length < 4) return text;
  const token = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return text;
  const userPass = Buffer.from(token, 'base64').toString('utf8');
  const password = userPass.slice(userPass.indexOf(':') + 1);
  // The user:password pair before the password alone, so that no half of it is left.
  const secrets = [token, userPass, password]
    .filter((x) => x.length >= 4)
    // Also as a JSON echo spells them (escaped quotes and backslashes; PHP escapes slashes).
    .flatMap((x) => [x, JSON.stringify(x).slice(1, -1), x.replaceAll('/', '\\/')]);
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}
