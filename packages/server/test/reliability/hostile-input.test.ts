// Hostile input on every route from /openapi.json, property-based (fast-check): wrong types,
// huge strings, unicode, NUL, nulls, nesting, prototype-pollution keys, SQL metacharacters,
// in the body, the query and the path. Never a 5xx, never a crash, and a refused request
// leaves the database exactly as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility, facilityApi, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, OPERATOR_KEY } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { CountingListener } from './support/listener.js';
import { fill, type Operation, operationsOf, sample } from './support/openapi.js';
import { logSink, report, SEED } from './support/run.js';

const RUNS_PER_ROUTE = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 20);

const nasty = [
  "'; drop table bookings; --",
  '" or 1=1 --',
  "') union select key_hash from api_keys --",
  '\u0000',
  'a\u0000b',
  '%00',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'prototype',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\ud800',
  '\uFEFF',
  '\u202Egnp.exe',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦',
  'null',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  ' ',
  '',
  'http://169.254.169.254/latest/meta-data/',
];

// The ones tried in every field, query parameter and path segment (the rest are drawn at random).
const systematic = [
  "'; drop table bookings; --",
  'a\u0000b',
  '__proto__',
  '\ud800',
  '\u202Egnp.exe',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦',
  '1e309',
  '',
  ' ',
  'y'.repeat(100_000),
];

const hostileString = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '$where',
    '',
  ),
  fc.string({ maxLength: 12 }),
);

const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(2 ** 53 + 1, -(2 ** 63), 1e308, -0, 0.1, true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A body for `op`: its own fields with hostile values, a valid one with one field spoiled, or anything at all. */
function hostileBody(op: Operation): fc.Arbitrary<string | undefined> {
  const fields = Object.keys(op.body?.properties ?? {});
  const valid = (sample(op.body) ?? {}) as Record<string, unknown>;
  const spoiled =
    fields.length > 0
      ? fc
          .tuple(fc.constantFrom(...fields), hostileValue)
          .map(([field, value]) => ({ ...valid, [field]: value }))
      : fc.constant(valid);
  const ownFields =
    fields.length > 0
      ? fc.dictionary(fc.oneof(fc.constantFrom(...fields), hostileKey), hostileValue, {
          maxKeys: 6,
        })
      : fc.dictionary(hostileKey, hostileValue, { maxKeys: 4 });
  const json = fc.oneof(spoiled, ownFields, hostileValue).map((v) => JSON.stringify(v));
  const raw = fc.constantFrom(
    '{"__proto__": {"polluted": "yes"}}',
    '{"constructor": {"prototype": {"polluted": "yes"}}}',
    '{"a": 1, "a": 2}',
    '{',
    '[',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    '{"x": "\\ud800"}',
    '\u0000',
    'null',
    '',
    `{"big": "${'y'.repeat(1_100_000)}"}`,
  );
  return fc.oneof(json, raw, fc.constant(undefined));
}

function hostileQuery(op: Operation): fc.Arbitrary<string> {
  const names = [
    ...op.query.map((q) => q.name),
    'limit',
    'offset',
    '__proto__',
    'constructor[prototype][x]',
  ];
  const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), hostileKey), hostileString), {
    maxLength: 4,
  });
  return fc.oneof(
    pairs.map((p) =>
      new URLSearchParams(p.map(([k, v]): [string, string] => [k, v.slice(0, 5_000)])).toString(),
    ),
    fc.constantFrom(
      'limit=1&limit=2',
      'limit[]=1',
      'offset=-1',
      'limit=1e3',
      'limit=0x10',
      'since=2026-13-45',
      '%',
      '%zz',
      '&&&=&',
    ),
  );
}

/** Bodies that pass validation, so that a spoiled field gets past the schema into the code. */
function validBodies(port: number): Record<string, unknown> {
  return {
    'POST /v1/facility': { id: 'fuzzed-facility', name: 'Fuzzed', plan: 'premium' },
    'POST /v1/facility/{facility_id}/webhooks': {
      url: `http://127.0.0.1:${port}/hook`,
      username: 'u',
      password: 'p',
      events: ['booking_created'],
    },
    'POST /v1/facility/{facility_id}/subscriptions': {
      target_url: `http://127.0.0.1:${port}/subscription`,
      event: 'booking_created',
    },
    'POST /v1/facility/{facility_id}/bookings': {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      name: 'Guest',
    },
    'POST /v1/facility/{facility_id}/productorders': {
      type: 'pickup',
      items: [{ product_id: 'p', name: 'P', quantity: 1, unit_price: 100 }],
      name: 'Guest',
    },
    'POST /v1/facility/{facility_id}/users': {
      email: 'fuzz@example.com',
      password: 'long enough',
      role: 'staff',
    },
    'POST /v1/session': { email: 'nobody@example.com', password: 'wrong' },
  };
}

/** Every string a schema allows at the top level or one array-of-objects down, as paths. */
function stringFields(schema: any, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [name, prop] of Object.entries<any>(schema?.properties ?? {})) {
    const variants = [prop, ...(prop.anyOf ?? []), ...(prop.oneOf ?? [])];
    if (variants.some((v) => v.type === 'string')) out.push([...prefix, name]);
    const items = variants.find((v) => v.type === 'array')?.items;
    if (items?.type === 'object' && prefix.length === 0)
      out.push(...stringFields(items, [name, '0']));
    if (variants.some((v) => v.type === 'object' && v.properties) && prefix.length === 0) {
      out.push(
        ...stringFields(
          variants.find((v) => v.type === 'object'),
          [name],
        ),
      );
    }
  }
  return out;
}

function withField(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body ?? {}) as any;
  let at = copy;
  for (const step of path.slice(0, -1)) {
    at[step] ??= {};
    at = at[step];
  }
  at[path.at(-1)!] = value;
  return copy;
}

describeEachDialect('hostile input on every route', (dialect) => {
  let h: Harness;
  let fac: TestFacility;
  let listener: CountingListener;
  let ops: Operation[];
  const ids: Record<string, string | number> = {};
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  const tally = {
    requests: 0,
    answered2xx: 0,
    answered4xx: 0,
    statuses: {} as Record<number, number>,
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    listener = await CountingListener.start();
    h = await createHarness(dialect, {}, { logSink: logSink(`hostile-${dialect}`) });
    fac = await createFacility(h);
    const api = facilityApi(h, fac);
    const hook = await api('POST', '/webhooks', {
      url: `http://127.0.0.1:${listener.port}/hook`,
      username: 'u',
      password: 'hostile-test-password',
      events: ['booking_created'],
    });
    const booking = await api('POST', '/bookings', {
      num: 2,
      date: '2026-12-24T19:30:00+01:00',
      name: 'Guest',
    });
    const order = await api('POST', '/productorders', {
      type: 'pickup',
      items: [{ product_id: 'p', name: 'P', quantity: 1, unit_price: 100 }],
      name: 'Guest',
    });
    const subscription = await api('POST', '/subscriptions', {
      target_url: `http://127.0.0.1:${listener.port}/subscription`,
      event: 'booking_updated',
    });
    const deliveries = await api('GET', `/webhooks/${hook.json.id}/deliveries`);
    const keys = await operator(h, { method: 'GET', url: `/v1/facility/${fac.id}/api-keys` });
    Object.assign(ids, {
      facility_id: fac.id,
      webhook_id: hook.json.id,
      booking_id: booking.json.id,
      order_id: order.json.id,
      delivery_id: deliveries.json.objects[0].id,
      key_id: keys.json.objects[0].id,
      subscription_id: subscription.json.id,
    });
    ops = await operationsOf(h.app);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    report(`hostile input ${dialect}`, { seed: SEED, routes: ops.length, ...tally });
    await h.close();
    await listener.close();
  });

  function difference(before: string, after: string): string {
    const a = JSON.parse(before);
    const b = JSON.parse(after);
    for (const table of Object.keys(b)) {
      const was = new Set<string>(a[table]);
      const now = new Set<string>(b[table]);
      const gone = [...was].filter((r) => !now.has(r));
      const added = [...now].filter((r) => !was.has(r));
      if (gone.length || added.length)
        return `${table}: -${gone.join(' ').slice(0, 400)} +${added.join(' ').slice(0, 400)}`;
    }
    return 'no difference found';
  }

  /** The whole database, minus what a read may stamp (a key's last use) or a login add. */
  async function snapshot(): Promise<string> {
    const db = h.store.db;
    const tables = [
      'facilities',
      'users',
      'bookings',
      'productorders',
      'events',
      'webhooks',
      'webhook_events',
      'deliveries',
      'attempts',
      'settings',
    ] as const;
    // Rows as sorted text: PostgreSQL returns them in no fixed order without an ORDER BY.
    const rows = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
    const out: Record<string, string[]> = {};
    for (const t of tables) out[t] = rows(await db.selectFrom(t).selectAll().execute());
    out.api_keys = rows(
      (await db.selectFrom('api_keys').selectAll().execute()).map(({ last_used_at: _, ...k }) => k),
    );
    return JSON.stringify(out);
  }

  function pathValue(name: string): fc.Arbitrary<string | number> {
    const real = ids[name];
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(real ?? 'x') },
      { weight: 3, arbitrary: hostileString.map((s) => s.slice(0, 3_000)) },
      { weight: 1, arbitrary: fc.integer() },
    );
  }

  /** One request: never a 5xx; a refusal has our error shape and changes nothing. */
  async function probe(op: Operation, url: string, body: string | undefined, key: string) {
    const label = `${op.method} ${op.path}`;
    const before = await snapshot();
    const res = await h.app.inject({
      method: op.method,
      url,
      headers: {
        'api-key': key,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: body }),
    });
    tally.requests++;
    tally.statuses[res.statusCode] = (tally.statuses[res.statusCode] ?? 0) + 1;
    const what = `${label} ${url.slice(0, 200)} ${String(body).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(res.statusCode, what).toBeLessThan(500);
    if (res.statusCode < 400) {
      tally.answered2xx++;
      return;
    }
    tally.answered4xx++;
    let error: unknown;
    try {
      error = res.json().error;
    } catch {
      error = undefined;
    }
    expect(error, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(res.body.length, `${what}: the answer echoes the input`).toBeLessThan(20_000);
    const after = await snapshot();
    if (after !== before)
      expect.fail(`${what}: refused, yet the database changed: ${difference(before, after)}`);
  }

  it('survives every nasty string in every string field, query parameter and path segment', async () => {
    const bodies = validBodies(listener.port);
    for (const op of ops.filter((o) => o.path.startsWith('/v1/'))) {
      const label = `${op.method} ${op.path}`;
      const valid = bodies[label] ?? sample(op.body);
      const url = fill(op.path, ids);
      for (const value of systematic) {
        for (const field of op.body ? stringFields(op.body) : []) {
          await probe(op, url, JSON.stringify(withField(valid, field, value)), OPERATOR_KEY);
        }
        for (const q of op.query) {
          await probe(
            op,
            `${url}?${new URLSearchParams([[q.name, value]])}`,
            op.body ? JSON.stringify(valid) : undefined,
            fac.key,
          );
        }
        for (const param of op.pathParams) {
          const spoiled = fill(op.path, { ...ids, [param]: value || '%20' });
          await probe(op, spoiled, op.body ? JSON.stringify(valid) : undefined, OPERATOR_KEY);
        }
      }
    }
  });

  it('never answers 5xx, never crashes, and changes nothing when it refuses', async () => {
    for (const op of ops.filter((o) => o.path.startsWith('/v1/'))) {
      const label = `${op.method} ${op.path}`;
      const params = fc.record(
        Object.fromEntries(op.pathParams.map((p) => [p, pathValue(p)])) as Record<
          string,
          fc.Arbitrary<string | number>
        >,
      );
      await fc.assert(
        fc.asyncProperty(
          params,
          hostileQuery(op),
          hostileBody(op),
          fc.boolean(),
          async (p, query, body, asOperator) => {
            let url: string;
            try {
              url = fill(op.path, p);
            } catch {
              return;
            }
            if (query) url += `?${query}`;
            const before = await snapshot();
            const res = await h.app.inject({
              method: op.method,
              url,
              headers: {
                'api-key': asOperator ? OPERATOR_KEY : fac.key,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(body === undefined ? {} : { payload: body }),
            });
            tally.requests++;
            tally.statuses[res.statusCode] = (tally.statuses[res.statusCode] ?? 0) + 1;
            expect(
              res.statusCode,
              `${label} ${url.slice(0, 300)} → ${res.body.slice(0, 300)}`,
            ).toBeLessThan(500);
            if (res.statusCode >= 400) {
              tally.answered4xx++;
              let error: unknown;
              try {
                error = res.json().error;
              } catch {
                error = undefined;
              }
              const what = `${label} ${url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
              expect(error, what).toMatchObject({
                code: expect.any(String),
                message: expect.any(String),
              });
              expect(res.body.length, `${what}: the answer echoes the input`).toBeLessThan(20_000);
              expect(
                await snapshot(),
                `${label} changed the database and answered ${res.statusCode}`,
              ).toBe(before);
            } else {
              tally.answered2xx++;
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: SEED, endOnFailure: true },
      );
    }
    expect(crashes).toEqual([]);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(listener.connections).toBe(0);
  });
});
