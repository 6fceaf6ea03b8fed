// Bad webhook settings get a 400 that names the field, and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { apiOf, type WebhooksApi, webhookBody } from './webhook-client.js';

interface Case {
  what: string;
  change: Record<string, unknown>;
  field: string;
  /** What the message must say, so a user can fix the input. */
  message: RegExp;
}

// Only the flaw named is wrong in each (127.0.0.1 is allowed in tests); nothing connects.
const cases: Case[] = [
  {
    what: 'a URL that is not a URL',
    change: { url: 'not a url' },
    field: 'url',
    message: /valid absolute URL/,
  },
  {
    what: 'an ftp:// URL',
    change: { url: 'ftp://127.0.0.1:8080/hook' },
    field: 'url',
    message: /http or https/,
  },
  {
    what: 'a URL carrying a user name and password',
    change: { url: 'http://u:p@127.0.0.1:8080/hook' },
    field: 'url',
    message: /user name or password/,
  },
  {
    what: 'a private address (10.0.0.1)',
    change: { url: 'http://10.0.0.1/hook' },
    field: 'url',
    message: /blocked \(private/,
  },
  {
    what: 'the cloud metadata address 169.254.169.254',
    change: { url: 'http://169.254.169.254/latest/meta-data/' },
    field: 'url',
    message: /blocked \(link-local/,
  },
  {
    what: 'localhost',
    change: { url: 'http://localhost:8080/hook' },
    field: 'url',
    message: /blocked \(local name/,
  },
  {
    what: 'loopback outside the allowed range',
    change: { url: 'http://127.0.0.2/hook' },
    field: 'url',
    message: /loopback/,
  },
  {
    what: 'an unknown event',
    change: { events: ['booking_exploded'] },
    field: 'events.0',
    message: /booking_created/,
  },
  {
    what: 'an empty list of events',
    change: { events: [] },
    field: 'events',
    message: /^Choose at least one event$/,
  },
  {
    what: 'the same event twice',
    change: { events: ['booking_created', 'booking_created'] },
    field: 'events',
    message: /^Choose each event only once$/,
  },
  {
    what: 'events as a string',
    change: { events: 'booking_created' },
    field: 'events',
    message: /as a list/,
  },
  {
    what: 'a password over 1 KiB',
    change: { password: 'p'.repeat(1025) },
    field: 'password',
    message: /1024/,
  },
  {
    what: 'an empty password',
    change: { password: '' },
    field: 'password',
    message: /^Enter the password your receiver expects$/,
  },
  {
    what: 'a user name containing ":"',
    change: { username: 'zap:ier' },
    field: 'username',
    message: /^The username can't contain a colon/,
  },
  {
    what: 'an empty user name',
    change: { username: '' },
    field: 'username',
    message: /^Enter the username your receiver expects$/,
  },
  {
    what: 'enabled as "yes"',
    change: { enabled: 'yes' },
    field: 'enabled',
    message: /must be true or false/,
  },
  {
    what: 'a description over 500 characters',
    change: { description: 'd'.repeat(501) },
    field: 'description',
    message: /500/,
  },
  {
    what: 'an unknown extra field',
    change: { secret_sauce: 'ketchup' },
    field: 'secret_sauce',
    message: /unknown field "secret_sauce"/,
  },
];

describeEachDialect('webhook settings validation', (dialect) => {
  let h: Harness;
  let receiver: TestReceiver;
  let fac: TestFacility;
  let api: WebhooksApi;

  beforeAll(async () => {
    h = await createHarness(dialect);
    receiver = await TestReceiver.start();
    fac = await createFacility(h);
    api = apiOf(h, fac);
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  describe('on create', () => {
    for (const c of cases) {
      it(`refuses ${c.what} with a 400 naming "${c.field}" and adds nothing`, async () => {
        const res = await api.create(webhookBody(receiver.url, c.change));
        expect(res.status, res.body).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'validation_failed', field: c.field });
        expect(res.json.error.message).toMatch(c.message);
        expect((await api.list()).json.meta.total_count).toBe(0);
      });
    }

    const missing: Record<string, string> = {
      url: 'Enter the URL of your receiver, starting with https://',
      username: 'Enter the username your receiver expects',
      password: 'Enter the password your receiver expects',
      events: 'Choose at least one event',
    };
    for (const [field, words] of Object.entries(missing)) {
      it(`refuses a webhook without ${field}, naming it in plain words`, async () => {
        const { [field as 'url']: _, ...body } = webhookBody(receiver.url);
        const res = await api.create(body);
        expect(res.status).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'validation_failed', field, message: words });
        expect(res.json.error.fields).toEqual([{ field, message: words }]);
      });
    }

    it('flags every field of an empty form at once, in plain words', async () => {
      const res = await api.create({});
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.fields).toEqual([
        { field: 'url', message: missing.url },
        { field: 'username', message: missing.username },
        { field: 'password', message: missing.password },
        { field: 'events', message: missing.events },
      ]);
      // The first problem stays in `field` and `message` for clients that read only those.
      expect(res.json.error).toMatchObject({ field: 'url', message: missing.url });
    });

    it('flags each wrong field once, beside the others, when several are wrong', async () => {
      const res = await api.create(
        webhookBody(receiver.url, { username: 'zap:ier', password: '', events: [], enabled: 1 }),
      );
      expect(res.status).toBe(400);
      expect(res.json.error.fields).toEqual([
        { field: 'username', message: "The username can't contain a colon (:) or a line break" },
        { field: 'password', message: missing.password },
        { field: 'events', message: missing.events },
        { field: 'enabled', message: '"enabled" must be true or false' },
      ]);
    });

    it("never shows the validator's own wording", async () => {
      const bodies: unknown[] = [
        [],
        42,
        {},
        webhookBody(receiver.url, { username: 'a:b', events: ['x'], max_age_hours: 0 }),
        webhookBody(receiver.url, { ordering: 'random', max_age_hours: 'soon' }),
      ];
      for (const body of bodies) {
        const res = await api.create(body as never);
        expect(res.status, JSON.stringify(body)).toBe(400);
        const said = JSON.stringify(res.json.error);
        expect(said).not.toMatch(
          /must NOT|must match|must have required|must be (object|string|integer|equal)|pattern|\^\[/,
        );
      }
    });

    it('says a body that is not a JSON object is not one', async () => {
      const res = await api.create([] as never);
      expect(res.json.error.message).toBe('The request body must be a JSON object');
    });

    it('describes a setting that is one of a few values, or a number or null', async () => {
      const res = await api.create(
        webhookBody(receiver.url, { ordering: 'random', max_age_hours: 0 }),
      );
      expect(res.json.error.fields).toEqual([
        { field: 'ordering', message: 'ordering must be one of per_resource, none' },
        {
          field: 'max_age_hours',
          message: '"max_age_hours" must be a whole number from 1 to 8760, or null',
        },
      ]);
    });

    it('accepts a password of exactly 1 KiB and every one of the six events', async () => {
      const all = [
        'booking_created',
        'booking_updated',
        'booking_deleted',
        'productorder_created',
        'productorder_updated',
        'productorder_deleted',
      ];
      const g = apiOf(h, await createFacility(h));
      const created = await g.add(
        webhookBody(receiver.url, { password: 'p'.repeat(1024), events: all }),
      );
      expect(created.events).toEqual(all);
    });

    it('answers malformed JSON with a 400, not a 500', async () => {
      const res = await call(h, {
        method: 'POST',
        url: api.base,
        key: fac.key,
        body: '{"url": "http://127.0.0.1/", ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_json');
    });
  });

  describe('on change', () => {
    let id: string;
    let original: any;
    beforeAll(async () => {
      const created = await api.add(webhookBody(receiver.url, { description: 'keep me' }));
      const { signing_secret: _, ...rest } = created;
      id = created.id;
      original = rest;
    });

    for (const c of cases) {
      it(`refuses ${c.what} with a 400 naming "${c.field}" and changes nothing`, async () => {
        const res = await api.patch(id, c.change);
        expect(res.status, res.body).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'validation_failed', field: c.field });
        expect(res.json.error.message).toMatch(c.message);
        expect((await api.get(id)).json).toEqual(original);
      });
    }

    it('refuses an empty change with a 400', async () => {
      const res = await api.patch(id, {});
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect((await api.get(id)).json).toEqual(original);
    });

    it('refuses a null password instead of clearing it', async () => {
      const res = await api.patch(id, { password: null });
      expect(res.status).toBe(400);
      expect(res.json.error.field).toBe('password');
    });
  });
});
