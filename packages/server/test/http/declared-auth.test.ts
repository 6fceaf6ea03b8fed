// Every API route declares who may call it (config.scope or config.public), and one set of
// hooks enforces it: a route that forgets cannot be registered, and every declared route
// refuses a caller without credentials before it reads any input.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('auth declared on every route', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  let doc: any;
  beforeAll(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
    doc = (await call(h, { method: 'GET', url: '/openapi.json' })).json;
  });
  afterAll(() => h.close());

  it('refuses to register an API route that declares no auth', async () => {
    const app = await buildApp(h.app.deps);
    try {
      expect(() => app.get('/v1/facility/:facility_id/secrets', async () => 'open')).toThrow(
        /GET \/v1\/facility\/:facility_id\/secrets declares no auth/,
      );
      // Declared, the same route registers, and is then guarded.
      app.get(
        '/v1/facility/:facility_id/secrets',
        { config: { scope: 'read' } },
        async () => 'guarded',
      );
      await app.ready();
      const anonymous = await app.inject({ method: 'GET', url: `/v1/facility/${f.id}/secrets` });
      expect(anonymous.statusCode).toBe(401);
      const other = await createFacility(h);
      const foreign = await app.inject({
        method: 'GET',
        url: `/v1/facility/${f.id}/secrets`,
        headers: { 'api-key': other.key },
      });
      expect(foreign.statusCode).toBe(404);
      const own = await app.inject({
        method: 'GET',
        url: `/v1/facility/${f.id}/secrets`,
        headers: { 'api-key': f.key },
      });
      expect(own.body).toBe('guarded');
    } finally {
      await app.close();
    }
  });

  it('answers 401 without credentials on every API route but logging in, before reading input', async () => {
    const operations: { method: string; url: string }[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/v1/')) continue;
      const url = path.replace('{facility_id}', f.id).replace(/\{[a-z_]+\}/g, '1');
      for (const method of Object.keys(item))
        operations.push({ method: method.toUpperCase(), url });
    }
    expect(operations.length).toBeGreaterThan(25);
    for (const op of operations) {
      const res = await call(h, { method: op.method as any, url: op.url, body: { junk: true } });
      const login = op.method === 'POST' && op.url === '/v1/session';
      expect(res.status, `${op.method} ${op.url}`).toBe(login ? 400 : 401);
    }
  });
});
