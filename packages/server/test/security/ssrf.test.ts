import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ALLOW_HINT,
  blockedReason,
  checkTargetUrl,
  type LookupFn,
  SsrfBlockedError,
  type TargetPolicy,
} from '../../src/security/ssrf.js';
import { checkTargetHost, createSafeConnector } from '../../src/security/ssrf-connector.js';

// A fake resolver: the only DNS these tests use. Unknown names fail like the real one.
const records: Record<string, string[]> = {
  'example.com': ['93.184.216.34'],
  'intranet.example': ['10.0.0.5'],
  'split.example': ['93.184.216.34', '10.0.0.5'],
  'loopback6.example': ['::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'ula.example': ['2606:4700:4700::1111', 'fd00::1'],
  'garbage.example': ['not-an-address'],
  'xn--bcher-kva.example': ['192.168.0.10'], // bücher.example
  'xn--caf-dma.example': ['93.184.216.34'], // café.example
};

function notFound(hostname: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
}

const fakeLookup: LookupFn = async (hostname) => {
  const found = records[hostname];
  if (!found) throw notFound(hostname);
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const strict: TargetPolicy = { allowedCidrs: [], lookup: fakeLookup };
const allowLoopback: TargetPolicy = { allowedCidrs: ['127.0.0.1/32'], lookup: fakeLookup };

const refusedByUrl: { url: string; why: string }[] = [
  { url: 'http://127.0.0.1/', why: 'loopback' },
  { url: 'http://127.1/', why: 'short-form loopback' },
  { url: 'http://127.0.0.1./', why: 'loopback with a trailing dot' },
  { url: 'http://127%2e0%2e0%2e1/', why: 'percent-encoded loopback' },
  { url: 'http://１２７.０.０.１/', why: 'full-width digits that normalise to loopback' },
  { url: 'http://2130706433/', why: 'decimal loopback' },
  { url: 'http://0x7f000001/', why: 'hexadecimal loopback' },
  { url: 'http://0x7f.1/', why: 'mixed hexadecimal loopback' },
  { url: 'http://017700000001/', why: 'octal loopback' },
  { url: 'http://0177.0.0.1/', why: 'dotted octal loopback' },
  { url: 'http://0.0.0.0/', why: 'unspecified' },
  { url: 'http://0/', why: 'unspecified, short form' },
  { url: 'http://localhost/', why: 'localhost' },
  { url: 'http://LOCALHOST:8080/', why: 'upper-case localhost' },
  { url: 'http://localhost./', why: 'localhost with a trailing dot' },
  { url: 'http://api.localhost/', why: 'a name under localhost' },
  { url: 'http://intranet/', why: 'a single-label name' },
  { url: 'http://[::1]/', why: 'IPv6 loopback' },
  { url: 'http://[::]/', why: 'IPv6 unspecified' },
  { url: 'http://[::ffff:127.0.0.1]/', why: 'IPv4-mapped loopback' },
  { url: 'http://[::ffff:169.254.169.254]/', why: 'IPv4-mapped metadata service' },
  { url: 'http://[::127.0.0.1]/', why: 'IPv4-compatible loopback' },
  { url: 'http://10.0.0.5/', why: 'private 10/8' },
  { url: 'http://172.16.0.1/', why: 'private 172.16/12, low end' },
  { url: 'http://172.31.255.254/', why: 'private 172.16/12, high end' },
  { url: 'http://192.168.1.1/', why: 'private 192.168/16' },
  { url: 'http://100.64.0.1/', why: 'carrier-grade NAT' },
  { url: 'http://100.100.100.200/', why: 'carrier-grade NAT, a metadata service' },
  { url: 'http://169.254.169.254/latest/meta-data/', why: 'link-local metadata service' },
  { url: 'http://192.0.0.8/', why: 'IETF protocol assignments' },
  { url: 'http://192.0.2.1/', why: 'documentation TEST-NET-1' },
  { url: 'http://198.18.0.1/', why: 'benchmarking' },
  { url: 'http://198.51.100.7/', why: 'documentation TEST-NET-2' },
  { url: 'http://203.0.113.9/', why: 'documentation TEST-NET-3' },
  { url: 'http://224.0.0.1/', why: 'multicast' },
  { url: 'http://240.0.0.1/', why: 'reserved' },
  { url: 'http://255.255.255.255/', why: 'broadcast' },
  { url: 'http://[fd00::1]/', why: 'unique local' },
  { url: 'http://[fd00:ec2::254]/', why: 'the IPv6 metadata service' },
  { url: 'http://[fe80::1]/', why: 'IPv6 link-local' },
  { url: 'http://[ff02::1]/', why: 'IPv6 multicast' },
  { url: 'http://[64:ff9b::7f00:1]/', why: 'NAT64 of loopback' },
  { url: 'http://[64:ff9b::a00:5]/', why: 'NAT64 of a private address' },
  { url: 'http://[2002:7f00:1::]/', why: '6to4 of loopback' },
  { url: 'http://[2001::1]/', why: 'Teredo' },
  { url: 'http://[2001:db8::1]/', why: 'IPv6 documentation' },
  { url: 'http://a@127.0.0.1/', why: 'userinfo before a loopback host' },
  { url: 'http://user:pass@example.com/', why: 'a user name and password' },
  { url: 'http://user@example.com/', why: 'a user name' },
  { url: 'http://:pass@example.com/', why: 'a password' },
  { url: 'ftp://example.com/', why: 'the ftp scheme' },
  { url: 'file:///etc/passwd', why: 'the file scheme' },
  { url: 'gopher://example.com:70/_GET', why: 'the gopher scheme' },
  { url: 'javascript:alert(1)', why: 'the javascript scheme' },
  { url: 'data:text/plain,hello', why: 'the data scheme' },
  { url: 'ws://example.com/', why: 'the ws scheme' },
  { url: 'http://example.com:0/', why: 'port 0' },
  { url: 'http://example.com:65536/', why: 'a port above 65535' },
  { url: 'example.com/hook', why: 'no scheme' },
  { url: '', why: 'an empty string' },
  { url: 'http://', why: 'no host' },
];

const refusedByDns: { url: string; why: string }[] = [
  { url: 'https://intranet.example/hook', why: 'it resolves to 10.0.0.5' },
  { url: 'https://split.example/hook', why: 'one of its two addresses is private' },
  { url: 'https://loopback6.example/', why: 'it resolves to ::1' },
  { url: 'https://mapped.example/', why: 'it resolves to an IPv4-mapped loopback address' },
  { url: 'https://metadata.example/', why: 'it resolves to the metadata service' },
  { url: 'https://ula.example/', why: 'one of its IPv6 addresses is unique local' },
  { url: 'https://garbage.example/', why: 'the resolver answered something that is not an IP' },
  { url: 'https://bücher.example/', why: 'the IDN name resolves to 192.168.0.10' },
];

const accepted: { url: string; href: string }[] = [
  { url: 'http://93.184.216.34/', href: 'http://93.184.216.34/' },
  { url: 'https://example.com/', href: 'https://example.com/' },
  { url: 'HTTPS://EXAMPLE.COM/path', href: 'https://example.com/path' },
  { url: 'https://example.com:8443/hooks?x=1', href: 'https://example.com:8443/hooks?x=1' },
  { url: 'http://example.com:1/', href: 'http://example.com:1/' },
  { url: 'http://example.com:65535/', href: 'http://example.com:65535/' },
  { url: 'https://example.com./', href: 'https://example.com./' },
  { url: 'https://café.example/', href: 'https://xn--caf-dma.example/' },
  { url: 'http://[2606:4700:4700::1111]/', href: 'http://[2606:4700:4700::1111]/' },
  { url: 'http://[::ffff:93.184.216.34]/', href: 'http://[::ffff:5db8:d822]/' },
  { url: 'http://[64:ff9b::5db8:d822]/', href: 'http://[64:ff9b::5db8:d822]/' },
  { url: 'https://not-yet-registered.example/', href: 'https://not-yet-registered.example/' },
];

describe('checkTargetUrl and checkTargetHost', () => {
  it.each(refusedByUrl)('refuses $url because of $why', async ({ url }) => {
    const sync = checkTargetUrl(url, strict);
    expect(sync.ok).toBe(false);
    expect(await checkTargetHost(url, strict)).toEqual(sync);
    if (!sync.ok) expect(sync.message).toMatch(/^url /);
  });

  it.each(refusedByDns)('refuses $url at creation because $why', async ({ url }) => {
    expect(checkTargetUrl(url, strict).ok).toBe(true);
    const result = await checkTargetHost(url, strict);
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/^url host .* is blocked/),
    });
  });

  it.each(accepted)('accepts $url as $href', async ({ url, href }) => {
    const sync = checkTargetUrl(url, strict);
    const async = await checkTargetHost(url, strict);
    expect(sync.ok && sync.url.href).toBe(href);
    expect(async.ok && async.url.href).toBe(href);
  });

  it('looks up an IDN host by its punycode name', async () => {
    const asked: string[] = [];
    const lookup: LookupFn = (name) => {
      asked.push(name);
      return fakeLookup(name);
    };
    await checkTargetHost('https://bücher.example/', { allowedCidrs: [], lookup });
    expect(asked).toEqual(['xn--bcher-kva.example']);
  });

  it('does not name the resolved internal address in its message', async () => {
    const result = await checkTargetHost('https://intranet.example/', strict);
    expect(result).toEqual({
      ok: false,
      message: `url host intranet.example is blocked (a resolved address is private)${ALLOW_HINT}`,
    });
  });

  it('explains a blocked IP literal in a message for the url field', () => {
    expect(checkTargetUrl('http://[::ffff:127.0.0.1]/', strict)).toEqual({
      ok: false,
      message: `url host [::ffff:7f00:1] is blocked (IPv4-mapped loopback address)${ALLOW_HINT}`,
    });
  });
});

describe('the allow-list', () => {
  it.each([
    { url: 'http://127.0.0.1:4000/hook', ok: true },
    { url: 'http://127.0.0.2/', ok: false },
    { url: 'http://[::ffff:127.0.0.1]/', ok: true },
    { url: 'http://[::1]/', ok: false },
    { url: 'http://localhost/', ok: false },
    { url: 'http://10.0.0.1/', ok: false },
    { url: 'http://[64:ff9b::7f00:1]/', ok: false },
  ])('with 127.0.0.1/32 allowed, $url is accepted: $ok', ({ url, ok }) => {
    expect(checkTargetUrl(url, allowLoopback).ok).toBe(ok);
  });

  it.each([
    { address: '127.0.0.1', cidrs: ['127.0.0.1'] },
    { address: '10.1.2.3', cidrs: ['10.0.0.0/8'] },
    { address: '::ffff:10.1.2.3', cidrs: ['10.0.0.0/8'] },
    { address: '10.1.2.3', cidrs: ['::ffff:10.0.0.0/104'] },
    { address: 'fd00::1', cidrs: ['fd00::/8'] },
    { address: '192.168.1.9', cidrs: ['10.0.0.0/8', '192.168.1.0/24'] },
  ])('exempts $address when $cidrs is allowed', ({ address, cidrs }) => {
    expect(blockedReason(address, cidrs)).toBeUndefined();
  });

  it('accepts a name resolving to an allowed address', async () => {
    const policy = { allowedCidrs: ['10.0.0.0/8'], lookup: fakeLookup };
    expect((await checkTargetHost('https://intranet.example/', policy)).ok).toBe(true);
  });
});

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['255.255.255.255', 'broadcast'],
    ['192.88.99.1', 'reserved'],
    ['192.175.48.1', 'special-purpose as112'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::7f00:1', 'IPv4-compatible'],
    ['::ffff:0:a00:1', 'reserved'],
    ['fd00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:a00:1::', '6to4 private'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard'],
    ['4000::1', 'reserved'],
    ['example.com', 'not an IP address'],
    ['127.1', 'not an IP address'],
    ['', 'not an IP address'],
  ])('refuses %s as %s', (address, reason) => {
    expect(blockedReason(address, [])).toBe(reason);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:93.184.216.34',
    '2606:4700:4700::1111',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('lets the public address %s through', (address) => {
    expect(blockedReason(address, [])).toBeUndefined();
  });
});

// Connect-time tests use real sockets, and only ever to listeners on 127.0.0.1 started here.
interface Receiver {
  port: number;
  connections: number;
  hosts: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startReceiver(): Promise<Receiver> {
  const server = createServer((req, res) => {
    receiver.hosts.push(req.headers.host ?? '');
    req.resume().on('end', () => res.end('ok'));
  });
  const receiver: Receiver = {
    port: 0,
    connections: 0,
    hosts: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('connection', () => receiver.connections++);
  receiver.port = await listen(server);
  return receiver;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function post(origin: string, policy: TargetPolicy): Promise<number> {
  const pool = new Pool(origin, { connect: createSafeConnector(policy) });
  cleanups.push(() => pool.destroy());
  const res = await pool.request({ path: '/hook', method: 'POST', body: '{}' });
  await res.body.text();
  return res.statusCode;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

describe('createSafeConnector', () => {
  it('refuses 127.0.0.1 before connecting when nothing is allowed', async () => {
    const r = await receiver();
    const err = await post(`http://127.0.0.1:${r.port}`, { allowedCidrs: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(err.code).toBe('ESSRF');
    expect(r.connections).toBe(0);
  });

  it('refuses an IPv4-mapped 127.0.0.1 literal before connecting', async () => {
    const r = await receiver();
    const err = await post(`http://[::ffff:127.0.0.1]:${r.port}`, { allowedCidrs: [] }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'ESSRF' });
    expect(r.connections).toBe(0);
  });

  it('connects to 127.0.0.1 when 127.0.0.1/32 is allowed', async () => {
    const r = await receiver();
    expect(await post(`http://127.0.0.1:${r.port}`, allowLoopback)).toBe(200);
    expect(r.connections).toBe(1);
  });

  it('refuses the second answer of a rebinding resolver that passed at creation', async () => {
    const r = await receiver();
    let calls = 0;
    const rebinding: LookupFn = async () => [
      { address: ++calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 },
    ];
    const policy = { allowedCidrs: [], lookup: rebinding };
    const origin = `http://receiver.test:${r.port}`;
    expect((await checkTargetHost(`${origin}/hook`, policy)).ok).toBe(true);
    const err = await post(origin, policy).catch((e) => e);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(calls).toBe(2);
    expect(r.connections).toBe(0);
  });

  it('connects to the address it checked, not to a fresh lookup of the name', async () => {
    const r = await receiver();
    // receiver.test exists only in this resolver; the system one would fail with ENOTFOUND.
    const lookup: LookupFn = async () => [{ address: '127.0.0.1', family: 4 }];
    const policy = { allowedCidrs: ['127.0.0.1/32'], lookup };
    expect(await post(`http://receiver.test:${r.port}`, policy)).toBe(200);
    expect(r.connections).toBe(1);
    expect(r.hosts).toEqual([`receiver.test:${r.port}`]);
  });

  it('passes a resolver failure through without connecting', async () => {
    const r = await receiver();
    const policy = { allowedCidrs: ['127.0.0.1/32'], lookup: fakeLookup };
    const err = await post(`http://receiver.test:${r.port}`, policy).catch((e) => e);
    expect(err).toMatchObject({ code: 'ENOTFOUND' });
    expect(r.connections).toBe(0);
  });

  it('sends the original name as TLS SNI while dialling the pinned address', async () => {
    // A bare TCP listener reads the ClientHello; no certificate is needed to see the SNI.
    let hello = Buffer.alloc(0);
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.once('data', (chunk) => {
        hello = chunk;
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as AddressInfo).port;
    const lookup: LookupFn = async () => [{ address: '127.0.0.1', family: 4 }];
    const policy = { allowedCidrs: ['127.0.0.1/32'], lookup };
    await post(`https://receiver.test:${port}`, policy).catch(() => undefined);
    expect(hello.includes('receiver.test')).toBe(true);
  });
});
