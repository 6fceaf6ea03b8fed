import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256Hex } from '../../src/security/hashing.js';
import { call, createFacility, operator, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness, OPERATOR_KEY } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('API keys on every request', (dialect) => {
  let h: Harness;
  let f: TestFacility;
  beforeAll(async () => {
    h = await createHarness(dialect);
    f = await createFacility(h);
  });
  afterAll(() => h.close());

  const list = (key: string) =>
    call(h, { method: 'GET', url: `/v1/facility/${f.id}/bookings`, key });
  const keyIdOf = async (key: string) => {
    const row = await h.store.db
      .selectFrom('api_keys')
      .select('id')
      .where('key_hash', '=', sha256Hex(key))
      .executeTakeFirstOrThrow();
    return row.id;
  };

  it('refuses a key revoked through the API on its very next request', async () => {
    const key = await f.keyWith(['read']);
    expect((await list(key)).status).toBe(200);
    const id = await keyIdOf(key);
    const revoked = await operator(h, {
      method: 'DELETE',
      url: `/v1/facility/${f.id}/api-keys/${id}`,
    });
    expect(revoked.status).toBe(204);
    const next = await list(key);
    expect(next.status).toBe(401);
    expect(next.json.error.code).toBe('unauthorized');
  });

  it('refuses a key revoked by another process (straight in the store) on its very next request', async () => {
    const key = await f.keyWith(['read']);
    expect((await list(key)).status).toBe(200);
    await h.store.db
      .updateTable('api_keys')
      .set({ revoked_at: h.clock.now() })
      .where('id', '=', await keyIdOf(key))
      .execute();
    expect((await list(key)).status).toBe(401);
  });

  it('tells the operator key, a facility key and a wrong key apart, in either header', async () => {
    const bearer = (key: string) =>
      call(h, {
        method: 'GET',
        url: '/v1/facility',
        headers: { authorization: `Bearer ${key}` },
      });
    expect((await bearer(OPERATOR_KEY)).status).toBe(200);
    expect((await call(h, { method: 'GET', url: '/v1/facility', key: OPERATOR_KEY })).status).toBe(
      200,
    );
    // A facility key is no operator key, and a near miss of the operator key is nothing.
    expect((await bearer(f.key)).status).toBe(403);
    expect((await bearer(`${OPERATOR_KEY}x`)).status).toBe(401);
    expect((await list(f.key)).status).toBe(200);
  });

  it('notes when a key was last used, at most once a minute', async () => {
    const key = await f.keyWith(['read']);
    const id = await keyIdOf(key);
    const lastUsed = async () =>
      (
        await h.store.db
          .selectFrom('api_keys')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    const before = h.clock.now();
    await list(key);
    const first = (await lastUsed())!;
    expect(first).toBeGreaterThanOrEqual(before);
    expect(first).toBeLessThanOrEqual(h.clock.now());
    h.clock.advance(30_000);
    await list(key);
    expect(await lastUsed()).toBe(first);
    h.clock.advance(31_000);
    await list(key);
    expect(await lastUsed()).toBeGreaterThan(first + 60_000);
  });
});
