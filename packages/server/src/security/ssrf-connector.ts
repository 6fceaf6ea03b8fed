// Connect-time half of the SSRF guard. Checking a URL when it is saved is not enough: DNS
// may answer differently later (rebinding), so every connection resolves the name itself,
// checks every address, and dials one of those very addresses, never the name again.
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { createLookup } from './resolver.js';
import {
  ALLOW_HINT,
  blockedReason,
  type CheckResult,
  checkTargetUrl,
  type LookupFn,
  SsrfBlockedError,
  type TargetPolicy,
  unbracket,
} from './ssrf.js';

/** DNS without the thread pool, then the system resolver for hosts-file names (resolver.ts). */
export const systemLookup: LookupFn = createLookup();

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The addresses to dial for `hostname`, every one of them checked. Rejects with
 * SsrfBlockedError when any is blocked (one bad answer is enough: a resolver may hand out
 * either), or with the resolver's own error (ENOTFOUND, EAI_AGAIN…) when the name does not
 * resolve.
 */
export async function resolveChecked(
  hostname: string,
  policy: TargetPolicy,
  timeoutMs: number,
): Promise<string[]> {
  const host = unbracket(hostname);
  if (isIP(host)) {
    const reason = blockedReason(host, policy.allowedCidrs);
    if (reason) throw new SsrfBlockedError(`${host} is blocked (${reason} address)`);
    return [host];
  }
  const lookup = policy.lookup ?? systemLookup;
  const found = await withTimeout(lookup(host), timeoutMs, () =>
    Object.assign(new Error(`DNS lookup of ${host} took longer than ${timeoutMs} ms`), {
      code: 'EAI_AGAIN',
    }),
  );
  if (found.length === 0) {
    throw Object.assign(new Error(`${host} has no addresses`), { code: 'ENOTFOUND' });
  }
  for (const { address } of found) {
    const reason = blockedReason(address, policy.allowedCidrs);
    // The address itself stays out of the message: it would map internal DNS for the user.
    if (reason) throw new SsrfBlockedError(`${host} is blocked (a resolved address is ${reason})`);
  }
  return found.map(({ address }) => address);
}

// Failures that say "this address is unreachable", not "this server is broken": worth trying
// the next checked address, as a dual-stack name on a host without IPv6 needs.
const tryNextAddress = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAFNOSUPPORT',
]);

/**
 * An undici connector (`new Agent({ connect })`) that refuses with SsrfBlockedError, before
 * opening any socket, when the host is or resolves to a blocked address, and otherwise
 * connects to a checked address while TLS still uses the original name for SNI and for
 * certificate verification. `options` go to undici's buildConnector (timeout, ca, …).
 */
export function createSafeConnector(
  policy: TargetPolicy,
  options: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const connect = buildConnector(options);
  // undici reads a timeout of 0 as "none"; DNS still gets a bound of its own.
  const lookupTimeoutMs = options.timeout || 10_000;
  return (target, callback) => {
    resolveChecked(target.hostname, policy, lookupTimeoutMs).then(
      (addresses) => connectInTurn(connect, target, addresses, 0, callback),
      (err: Error) => callback(err, null),
    );
  };
}

function connectInTurn(
  connect: buildConnector.connector,
  target: buildConnector.Options,
  addresses: string[],
  index: number,
  callback: buildConnector.Callback,
): void {
  const name = target.hostname;
  const pinned: buildConnector.Options = {
    ...target,
    // An IP as hostname means net/tls connect to it without a DNS lookup of their own.
    hostname: addresses[index]!,
    // tls.connect verifies the certificate against servername when set, so the original
    // name keeps both SNI and verification right; an IP literal sends no SNI, as before.
    servername: target.servername || (isIP(unbracket(name)) ? undefined : name),
  };
  try {
    connect(pinned, (...result) => {
      const [err] = result;
      const code = (err as { code?: string } | null)?.code ?? '';
      if (err && tryNextAddress.has(code) && index + 1 < addresses.length) {
        connectInTurn(connect, target, addresses, index + 1, callback);
        return;
      }
      callback(...result);
    });
  } catch (err) {
    callback(err as Error, null);
  }
}

const creationLookupTimeoutMs = 5_000;

/**
 * checkTargetUrl, then resolve the name and refuse if any address is blocked. A name that
 * does not resolve (yet) is accepted: the connect-time guard checks again before every
 * delivery, and the failed delivery shows the DNS error to the user.
 */
export async function checkTargetHost(raw: string, policy: TargetPolicy): Promise<CheckResult> {
  const checked = checkTargetUrl(raw, policy);
  if (!checked.ok) return checked;
  try {
    await resolveChecked(checked.url.hostname, policy, creationLookupTimeoutMs);
  } catch (err) {
    if (err instanceof SsrfBlockedError)
      return { ok: false, message: `url host ${err.message}${ALLOW_HINT}` };
    // Not resolvable now: deliberately accepted, see above.
  }
  return checked;
}
