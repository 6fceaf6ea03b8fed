// What bookings and product orders answer alike: malformed bodies, ids that are no ids,
// missing or weak keys and other tenants' ids each get a 4xx, and none of them changes a
// row or writes an event. Each resource's own fields are tested in its own folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFacility, rowCounts, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { RESOURCES } from '../support/resources.js';
import { describeEachDialect } from '../support/stores.js';

describe.each(RESOURCES)('$type', (r) => {
  describeEachDialect(`${r.type} input and access`, (dialect) => {
    let h: Harness;
    let a: TestFacility;
    let b: TestFacility;
    let theirs: any;
    const collection = (f: TestFacility) => `/v1/facility/${f.id}/${r.path}`;
    beforeAll(async () => {
      h = await createHarness(dialect);
      a = await createFacility(h);
      b = await createFacility(h);
      const res = await call(h, { method: 'POST', url: collection(b), key: b.key, body: r.body });
      theirs = res.json;
    });
    afterAll(() => h.close());

    const counts = () => rowCounts(h, r.table);
    const post = (body: unknown, headers?: Record<string, string>) =>
      call(h, { method: 'POST', url: collection(a), key: a.key, body, headers });

    it(`refuses an id that is not a positive integer, naming ${r.idParam}`, async () => {
      for (const id of ['abc', '0', '1.5', '99999999999999999999']) {
        const res = await call(h, { method: 'GET', url: `${collection(a)}/${id}`, key: a.key });
        expect(res.status, id).toBe(400);
        expect(res.json.error.field).toBe(r.idParam);
      }
    });

    it('refuses malformed JSON, other content types and bodies over 1 MiB', async () => {
      const before = await counts();
      const json = { 'content-type': 'application/json' };
      const broken = await post('{"name": "x", "items": ', json);
      expect(broken.status).toBe(400);
      expect(broken.json.error.code).toBe('invalid_json');
      const form = await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      expect(form.json.error.code).toBe('unsupported_media_type');
      // Fastify parses text/plain as a string, which the body schema then refuses.
      const text = await post(JSON.stringify(r.body), { 'content-type': 'text/plain' });
      expect(text.status).toBe(400);
      expect(text.json.error.code).toBe('validation_failed');
      const huge = await post(
        JSON.stringify({ ...r.body, comment: 'x'.repeat(1024 * 1024) }),
        json,
      );
      expect(huge.status).toBe(413);
      expect(huge.json.error.code).toBe('payload_too_large');
      const patched = await call(h, {
        method: 'PATCH',
        url: `${collection(b)}/${theirs.id}`,
        key: b.key,
        body: '[',
        headers: json,
      });
      expect(patched.status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it('answers 401 on every route without a key or with an unknown key', async () => {
      const base = collection(b);
      const routes = [
        { method: 'GET', url: base },
        { method: 'POST', url: base, body: r.body },
        { method: 'GET', url: `${base}/${theirs.id}` },
        { method: 'PATCH', url: `${base}/${theirs.id}`, body: r.change },
        { method: 'DELETE', url: `${base}/${theirs.id}` },
      ] as const;
      for (const key of [undefined, 'thk_not_a_real_key']) {
        for (const route of routes) {
          const res = await call(h, { ...route, key });
          expect(res.status, `${route.method} ${key}`).toBe(401);
          expect(res.json.error.code).toBe('unauthorized');
        }
      }
    });

    it('needs the write scope to change and the read scope to look', async () => {
      const reader = await b.keyWith(['read']);
      const writer = await b.keyWith(['write']);
      const hooks = await b.keyWith(['webhooks']);
      const base = collection(b);
      const member = `${base}/${theirs.id}`;
      const before = await counts();
      for (const route of [
        { method: 'POST', url: base, body: r.body },
        { method: 'PATCH', url: member, body: r.change },
        { method: 'DELETE', url: member },
      ] as const) {
        const res = await call(h, { ...route, key: reader });
        expect(res.status, route.method).toBe(403);
        expect(res.json.error.code).toBe('forbidden');
      }
      expect(await counts()).toEqual(before);
      for (const url of [base, member]) {
        expect((await call(h, { method: 'GET', url, key: reader })).status).toBe(200);
        expect((await call(h, { method: 'GET', url, key: writer })).status).toBe(403);
        expect((await call(h, { method: 'GET', url, key: hooks })).status).toBe(403);
      }
      const written = await call(h, { method: 'POST', url: base, key: writer, body: r.body });
      expect(written.status).toBe(201);
    });

    it("answers 404, never data, when one facility's key reaches for another's", async () => {
      const id = theirs.id;
      const attempts = [
        { method: 'GET', url: `${collection(b)}` },
        { method: 'POST', url: `${collection(b)}`, body: r.body },
      ] as Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown }>;
      for (const base of [collection(a), collection(b)]) {
        attempts.push(
          { method: 'GET', url: `${base}/${id}` },
          { method: 'PATCH', url: `${base}/${id}`, body: { status: 'cancelled' } },
          { method: 'DELETE', url: `${base}/${id}` },
        );
      }
      for (const attempt of attempts) {
        const res = await call(h, { ...attempt, key: a.key });
        expect(res.status, `${attempt.method} ${attempt.url}`).toBe(404);
        expect(res.body).not.toContain(r.guest);
      }
      const own = await call(h, { method: 'GET', url: collection(a), key: a.key });
      expect(own.json.objects.map((o: any) => o.id)).not.toContain(id);
      const still = await call(h, { method: 'GET', url: `${collection(b)}/${id}`, key: b.key });
      expect(still.json).toEqual(theirs);
      const events = await h.store.db
        .selectFrom('events')
        .select('event')
        .where('resource_type', '=', r.type)
        .where('resource_id', '=', id)
        .execute();
      expect(events).toEqual([{ event: `${r.type}_created` }]);
    });
  });
});
