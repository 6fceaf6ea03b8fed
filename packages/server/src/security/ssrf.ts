// The SSRF guard. Webhook URLs are typed in by restaurant staff, so nothing here trusts them:
// a URL is checked when it is saved (checkTargetUrl, checkTargetHost) and every connection is
// checked again, on the address actually dialled (createSafeConnector). Only global unicast
// addresses pass, unless the operator exempts a CIDR (TABLEHOOKS_ALLOWED_TARGETS).
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
// The rules only; resolving and dialling (and the check that needs DNS) are
// ssrf-connector.ts, which imports these: one direction, no cycle.

export type LookupFn = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export interface TargetPolicy {
  /** CIDRs exempt from the block, e.g. ['127.0.0.1/32'] for tests. */
  allowedCidrs: readonly string[];
  /** Default: the system resolver (dns.lookup), the same one a plain connect would use. */
  lookup?: LookupFn;
}

export class SsrfBlockedError extends Error {
  readonly code = 'ESSRF';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SsrfBlockedError';
  }
}

export type CheckResult = { ok: true; url: URL } | { ok: false; message: string };

/**
 * Said with every refusal of a blocked address: a receiver on this machine or a private
 * network is often meant (a test, an internal server), and only the operator can allow it.
 */
export const ALLOW_HINT =
  '; if this receiver is meant to be reached, the operator can allow its address with TABLEHOOKS_ALLOWED_TARGETS';
type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function table(rows: [string, string][]): [Range, string][] {
  return rows.map(([cidr, reason]) => [ipaddr.parseCIDR(cidr), reason]);
}

// First match wins. Anything these miss but ipaddr.js names is refused too (see classify).
const ipv4Blocked = table([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'], // also Alibaba's metadata service, 100.100.100.200
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // holds 169.254.169.254, the cloud metadata service
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const ipv6Blocked = table([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible'], // deprecated; some stacks still route it as IPv4
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard'],
  ['2001::/32', 'Teredo'], // the client address inside is obfuscated, so it cannot be checked
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local'], // includes fd00:ec2::254, AWS's IPv6 metadata service
  ['fec0::/10', 'site-local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
]);

// Prefixes that carry an IPv4 address which the network will end up talking to.
const nat64 = ipaddr.parseCIDR('64:ff9b::/96');
const sixToFour = ipaddr.parseCIDR('2002::/16');
const globalUnicast = ipaddr.parseCIDR('2000::/3');

function inRange(ip: ipaddr.IPv4 | ipaddr.IPv6, [base, bits]: Range): boolean {
  return ip.kind() === base.kind() && ip.match(base, bits);
}

function lookupIn(ip: ipaddr.IPv4 | ipaddr.IPv6, rows: [Range, string][]): string | undefined {
  return rows.find(([range]) => inRange(ip, range))?.[1];
}

function embeddedIPv4(ip: ipaddr.IPv6, offset: number): ipaddr.IPv4 {
  const bytes = ip.toByteArray();
  return new ipaddr.IPv4(bytes.slice(offset, offset + 4));
}

function classify(ip: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  if (ip instanceof ipaddr.IPv4) {
    const reason = lookupIn(ip, ipv4Blocked);
    if (reason) return reason;
  } else {
    const reason = lookupIn(ip, ipv6Blocked);
    if (reason) return reason;
    // A translator forwards these to the embedded IPv4 address: judge that one instead.
    if (inRange(ip, nat64)) return prefixed('NAT64', classify(embeddedIPv4(ip, 12)));
    if (inRange(ip, sixToFour)) return prefixed('6to4', classify(embeddedIPv4(ip, 2)));
    if (!inRange(ip, globalUnicast)) return 'reserved';
  }
  // Belt and braces: any special range ipaddr.js knows and the tables above do not.
  const name = ip.range();
  return name === 'unicast' ? undefined : `special-purpose ${name}`;
}

function prefixed(prefix: string, reason: string | undefined): string | undefined {
  return reason === undefined ? undefined : `${prefix} ${reason}`;
}

function suffixed(reason: string | undefined, suffix: string): string | undefined {
  return reason === undefined ? undefined : `${reason} ${suffix}`;
}

function parseAllowed(cidr: string): Range {
  // config.ts also accepts a bare address, meaning a single host.
  if (cidr.includes('/')) return ipaddr.parseCIDR(cidr);
  const ip = ipaddr.parse(cidr);
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

function isAllowed(ip: ipaddr.IPv4 | ipaddr.IPv6, allowedCidrs: readonly string[]): boolean {
  // `ip` is already unmapped; also try the mapped form so '::ffff:10.0.0.0/104' works.
  const forms = ip instanceof ipaddr.IPv4 ? [ip, ip.toIPv4MappedAddress()] : [ip];
  return allowedCidrs.some((cidr) => {
    const range = parseAllowed(cidr);
    return forms.some((form) => inRange(form, range));
  });
}

export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Why this IP address is refused ('loopback', 'private', 'IPv4-mapped loopback', …), or
 * undefined when it is a public unicast address or inside allowedCidrs. Anything that is not
 * a plain IP address is refused: callers pass resolver output or a URL's normalised host.
 */
export function blockedReason(
  address: string,
  allowedCidrs: readonly string[],
): string | undefined {
  const text = unbracket(address);
  if (!isIP(text)) return 'not an IP address';
  // process() turns ::ffff:a.b.c.d into a.b.c.d: the kernel connects those over IPv4.
  const ip = ipaddr.process(text);
  if (isAllowed(ip, allowedCidrs)) return undefined;
  const reason = classify(ip);
  const mapped = ip.kind() === 'ipv4' && isIP(text) === 6;
  return mapped ? prefixed('IPv4-mapped', reason) : reason;
}

function nameReason(hostname: string): string | undefined {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost' || name.endsWith('.localhost')) return 'local name';
  // Single-label names only make sense inside a network (search domains, /etc/hosts,
  // container service names such as `redis` or `metadata`); a public receiver has a dot.
  if (!name.includes('.')) return 'single-label name; use a fully qualified domain name';
  return undefined;
}

/**
 * Synchronous check when a URL is saved: http(s) only, no credentials in the URL, a port in
 * 1-65535, and the host is not a blocked IP literal (in any spelling the URL parser
 * normalises: 127.1, 2130706433, 0x7f000001, [::ffff:127.0.0.1], …) nor a local name.
 * Callers should store `url.href`, the normalised form that was checked.
 */
export function checkTargetUrl(raw: string, policy: TargetPolicy): CheckResult {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      ok: false,
      message: 'url is not a valid absolute URL such as https://example.com/hook',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `url must use http or https, not ${url.protocol.slice(0, 20)}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'url must not contain a user name or password' };
  }
  if (url.port === '0') return { ok: false, message: 'url port must be between 1 and 65535' };
  const host = unbracket(url.hostname);
  if (host === '') return { ok: false, message: 'url must name a host' };
  const reason = isIP(host)
    ? suffixed(blockedReason(host, policy.allowedCidrs), 'address')
    : nameReason(host);
  if (reason)
    return { ok: false, message: `url host ${url.hostname} is blocked (${reason})${ALLOW_HINT}` };
  return { ok: true, url };
}
