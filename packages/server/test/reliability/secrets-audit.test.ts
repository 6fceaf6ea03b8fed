// Secrets: runs the real binary at trace level through every kind of request and delivery,
// then greps its logs, the SQLite file (and WAL), a pg_dump, and every log the other files
// of this run left behind, for every webhook password, API key and signing secret used:
// zero hits. Also a source audit: credentials are only ever compared in constant time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { envFor, OPERATOR_KEY, TEST_SECRET_KEY } from '../support/harness.js';
import { type Running, startServer } from '../support/process.js';
import { TestReceiver } from '../support/receiver.js';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.js';
import { closedPort } from './support/listener.js';
import { http, logSink, recordSecret, report, sleep } from './support/run.js';

const basic = (user: string, password: string) =>
  Buffer.from(`${user}:${password}`).toString('base64');

/** Every spelling of a secret worth looking for. */
function spellings(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1)];
}

function hits(haystack: Buffer | string, secrets: { what: string; value: string }[]): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  const found: string[] = [];
  for (const { what, value } of secrets) {
    for (const s of spellings(value)) {
      const needle = Buffer.isBuffer(haystack) ? Buffer.from(s, 'utf8').toString('latin1') : s;
      if (needle.length >= 6 && text.includes(needle)) found.push(what);
    }
  }
  return [...new Set(found)];
}

describeEachDialect('secrets stay secret', (dialect) => {
  let store: TestStore | undefined;
  let server: Running | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await receiver?.close();
    await store?.drop();
  });

  it('leaves no password, key or signing secret in the logs, the database files or a dump', async () => {
    const secrets: { what: string; value: string }[] = [
      { what: 'operator key', value: OPERATOR_KEY },
      { what: 'encryption key', value: TEST_SECRET_KEY },
    ];
    const keep = (what: string, value: string) => {
      secrets.push({ what, value });
      recordSecret(what, value);
    };
    store = await createTestStore(dialect);
    receiver = await TestReceiver.start();
    // A receiver that echoes the request back: 200, then 500, then 200.
    let n = 0;
    receiver.setDefault((res: ServerResponse) => {
      res.writeHead(n++ % 3 === 1 ? 500 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ echo: 'your request', headers: receiver!.received.at(-1)?.headers }),
      );
    });
    server = await startServer(
      envFor(store, { TABLEHOOKS_LOG_LEVEL: 'trace', TABLEHOOKS_POLL_INTERVAL_MS: '200' }),
    );
    const base = server.url;
    const op = (method: string, path: string, body?: unknown) =>
      http(base, method, path, OPERATOR_KEY, body);

    const fac = `audit-${dialect}`;
    expect(
      (await op('POST', '/v1/facility', { id: fac, name: 'Audit', plan: 'premium' })).status,
    ).toBe(201);
    const created = await op('POST', `/v1/facility/${fac}/api-keys`, {
      name: 'audit',
      scopes: ['read', 'write', 'webhooks'],
    });
    const key = created.json.key as string;
    keep('facility API key', key);
    const as = (method: string, path: string, body?: unknown) =>
      http(base, method, `/v1/facility/${fac}${path}`, key, body);

    const userPassword = `audit-user-password-${dialect}-3d8f`;
    keep('UI user password', userPassword);
    expect(
      (
        await op('POST', `/v1/facility/${fac}/users`, {
          email: `owner-${dialect}@example.com`,
          password: userPassword,
          role: 'owner',
        })
      ).status,
    ).toBe(201);
    const login = await http(base, 'POST', '/v1/session', undefined, {
      email: `owner-${dialect}@example.com`,
      password: userPassword,
    });
    expect(login.status).toBe(200);
    // A failed login with a password that looks like a key.
    await http(base, 'POST', '/v1/session', undefined, {
      email: `owner-${dialect}@example.com`,
      password: `${userPassword}-wrong`,
    });
    keep('wrong UI password', `${userPassword}-wrong`);

    const password1 = `audit-hook-password-1-${dialect}-a71c`;
    const password2 = `audit-hook-password-2-${dialect}-9e04`;
    keep('webhook password', password1);
    keep('webhook password, changed', password2);
    keep('Basic credentials', basic('audit-user', password1));
    keep('Basic credentials, changed', basic('audit-user', password2));
    // Refused with the password in the body: the error must not repeat it.
    const refused = await as('POST', '/webhooks', {
      url: 'http://10.0.0.1/hook',
      username: 'audit-user',
      password: password1,
      events: ['booking_created'],
    });
    expect(refused.status).toBe(400);
    const hook = await as('POST', '/webhooks', {
      url: receiver.url,
      username: 'audit-user',
      password: password1,
      events: ['booking_created', 'booking_updated'],
    });
    expect(hook.status).toBe(201);
    keep('signing secret', hook.json.signing_secret);
    const wid = hook.json.id as string;
    // Traffic: bookings, a test trigger, deliveries that succeed and fail, a password change.
    const booking = await as('POST', '/bookings', {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      name: 'Audit Guest',
    });
    await as('PATCH', `/bookings/${booking.json.id}`, { num: 3 });
    await as('POST', `/webhooks/${wid}/test`, {});
    await receiver.waitFor(3);
    expect((await as('PATCH', `/webhooks/${wid}`, { password: password2 })).status).toBe(200);
    await as('POST', `/webhooks/${wid}/test`, {});
    await as('PATCH', `/webhooks/${wid}`, { password: 42 });
    // Another port is another origin: the password comes along.
    const gone = `http://127.0.0.1:${await closedPort()}/gone`;
    expect((await as('PATCH', `/webhooks/${wid}`, { url: gone, password: password2 })).status).toBe(
      200,
    );
    await as('POST', `/webhooks/${wid}/test`, {});
    await as('GET', `/webhooks/${wid}/secret`);
    const log = await as('GET', `/webhooks/${wid}/deliveries`);
    let echoed = 0;
    for (const d of log.json.objects) {
      const one = await as('GET', `/webhooks/${wid}/deliveries/${d.id}`);
      expect(hits(JSON.stringify(one.json), secrets), 'delivery log via the API').toEqual([]);
      echoed += one.json.attempts.filter((a: any) =>
        a.response_body?.includes('[redacted]'),
      ).length;
      await as('POST', `/webhooks/${wid}/deliveries/${d.id}/resend`);
    }
    // The receiver did echo our Authorization header; the log keeps it blanked out.
    expect(echoed).toBeGreaterThan(0);
    // Wrong and revoked keys, in both headers.
    await http(base, 'GET', `/v1/facility/${fac}`, `${key}x`);
    await fetch(`${base}/v1/facility/${fac}`, { headers: { authorization: `Bearer ${key}x` } });
    expect((await op('DELETE', `/v1/facility/${fac}/api-keys/${created.json.id}`)).status).toBe(
      204,
    );
    expect((await as('GET', '')).status).toBe(401);
    await sleep(500);
    server.child.kill('SIGTERM');
    await server.exited;
    const output = `${server.stdout()}\n${server.stderr()}`;
    logSink(`audit-${dialect}`)(output);
    expect(output.split('\n').length, 'trace logging was on').toBeGreaterThan(50);

    const found: Record<string, string[]> = { logs: hits(output, secrets) };
    if (dialect === 'sqlite') {
      for (const file of readdirSync(store.dataDir).filter((f) => f.includes('.sqlite'))) {
        found[file] = hits(readFileSync(join(store.dataDir, file)), secrets);
      }
    } else {
      const dump = execFileSync('pg_dump', ['--dbname', store.databaseUrl!, '--data-only'], {
        maxBuffer: 256 * 1024 * 1024,
      });
      expect(dump.length).toBeGreaterThan(1000);
      found.pg_dump = hits(dump, secrets);
    }
    report(`secrets ${dialect}`, { secretsSearched: secrets.length, hits: found });
    for (const [where, what] of Object.entries(found)) expect(what, where).toEqual([]);
  }, 120_000);
});

describe('every log of this reliability run', () => {
  it('holds none of the secrets any test of the run used', () => {
    const dir = inject('reliabilityRunDir');
    const secrets = readdirSync(join(dir, 'secrets')).flatMap((f) =>
      readFileSync(join(dir, 'secrets', f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { what: string; value: string }),
    );
    secrets.push(
      { what: 'operator key', value: OPERATOR_KEY },
      { what: 'encryption key', value: TEST_SECRET_KEY },
    );
    const logs = readdirSync(join(dir, 'logs'));
    const found: Record<string, string[]> = {};
    let bytes = 0;
    for (const file of logs) {
      const text = readFileSync(join(dir, 'logs', file), 'utf8');
      bytes += text.length;
      const h = hits(text, secrets);
      if (h.length) found[file] = h;
    }
    report('secrets in all logs of the run', {
      logFiles: logs.length,
      megabytes: Math.round(bytes / 1e5) / 10,
      secrets: secrets.length,
      hits: found,
    });
    expect(found).toEqual({});
  });
});

describe('credential checks', () => {
  const src = fileURLToPath(new URL('../../src', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [join(dir, e.name)]
          : [],
    );

  it('never compares a key, token, password, secret or hash with == in the server source', () => {
    const credential =
      /(key|token|password|secret|hash|signature|csrf)\w*\)?\s*[!=]==?|[!=]==?\s*[\w.]*(key|token|password|secret|hash|signature|csrf)/i;
    const harmless = /[!=]==?\s*(undefined|null|'[^']*'|\d+)|typeof|\.length|\.kind|\.code/;
    // The one deliberate exception: a stored hash against the hash of a key we just made.
    const allowed = ['auth/operator-key.ts:hash === sha256Hex(candidate)'];
    const suspicious: string[] = [];
    for (const file of files(src)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!credential.test(line) || harmless.test(line)) continue;
        const rel = `${file.slice(src.length + 1)}:${line.trim()}`;
        if (
          !allowed.some((a) => rel.startsWith(a.split(':')[0]!) && rel.includes(a.split(':')[1]!))
        )
          suspicious.push(rel);
      }
    }
    expect(suspicious).toEqual([]);
  });

  it('compares in constant time, or looks up by hash, wherever a credential is checked', () => {
    const read = (f: string) => readFileSync(join(src, f), 'utf8');
    expect(read('auth/operator-key.ts')).toMatch(/timingSafeEqual\(digest, expected\)/);
    expect(read('security/hashing.ts')).toMatch(/timingSafeEqual\(actual, expected\)/);
    expect(read('security/hashing.ts')).toMatch(/export function safeEqual[\s\S]*timingSafeEqual/);
    // API keys and session tokens: found by their SHA-256 in an index, never compared in JS.
    const authenticate = read('auth/authenticate.ts');
    expect(authenticate).toMatch(/where\('key_hash', '=', p\.keyHash\)/);
    expect(authenticate).toMatch(
      /keyHash: createHash\('sha256'\)|keyHash: digest\.toString\('hex'\)/,
    );
    if (existsSync(join(src, 'auth/sessions.ts'))) {
      expect(read('auth/sessions.ts')).toMatch(/token_hash', '=', hash/);
      expect(read('auth/sessions.ts')).toMatch(/safeEqual\(presented, csrfTokenOf\(token\)\)/);
    }
  });
});
