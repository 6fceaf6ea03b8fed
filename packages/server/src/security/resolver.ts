// DNS for deliveries, off libuv's thread pool. dns.lookup (getaddrinfo) blocks one of the
// pool's four threads per lookup: password hashing, file reads, or a tenant whose webhook
// names a slow DNS server could each starve every other tenant's lookups. c-ares (dns.Resolver)
// asks the servers of /etc/resolv.conf asynchronously, any number at a time. Names DNS doesn't
// know (/etc/hosts entries such as `localhost`) still go to the system resolver: only a fast
// "no such name" falls back, never a timeout.
import { promises as dns } from 'node:dns';
import type { LookupFn } from './ssrf.js';

// Answers that come back at once and say "DNS has nothing for this name (here)".
const FALL_BACK = new Set(['ENOTFOUND', 'ENODATA', 'ECONNREFUSED', 'ENONAME', 'EBADNAME']);

export interface ResolverOptions {
  /** DNS servers as c-ares takes them ('127.0.0.1:5353'); default: /etc/resolv.conf. */
  servers?: string[];
  /** Per try, in ms; c-ares doubles it on each retry. */
  timeoutMs?: number;
  tries?: number;
}

/** The system resolver, as a plain connect would use it (hosts file included). */
export const getaddrinfoLookup: LookupFn = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** A LookupFn that asks DNS through c-ares, then the system resolver for names DNS lacks. */
export function createLookup(options: ResolverOptions = {}): LookupFn {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? 2_000,
    tries: options.tries ?? 2,
  });
  if (options.servers) resolver.setServers(options.servers);
  return async (hostname) => {
    // RFC 6761: localhost is never asked of DNS.
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
      return getaddrinfoLookup(hostname);
    }
    const [v4, v6] = await Promise.allSettled([
      resolver.resolve4(hostname),
      resolver.resolve6(hostname),
    ]);
    const found = [
      ...(v4.status === 'fulfilled'
        ? v4.value.map((address) => ({ address, family: 4 as const }))
        : []),
      ...(v6.status === 'fulfilled'
        ? v6.value.map((address) => ({ address, family: 6 as const }))
        : []),
    ];
    if (found.length > 0) return found;
    const codes = [v4, v6].map((r) =>
      r.status === 'rejected' ? String((r.reason as { code?: unknown }).code) : 'ENODATA',
    );
    if (codes.every((c) => FALL_BACK.has(c))) return getaddrinfoLookup(hostname);
    const failed = [v4, v6].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    throw failed.reason;
  };
}
