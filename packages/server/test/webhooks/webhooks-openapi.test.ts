// /openapi.json tells integrators the truth about the webhook settings API.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENTS } from '../../src/events/event-names.js';
import { createFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TestReceiver } from '../support/receiver.js';
import { describeEachDialect } from '../support/stores.js';
import { apiOf, webhookBody } from './webhook-client.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

const collection = '/v1/facility/{facility_id}/webhooks';
const single = `${collection}/{webhook_id}`;

/** Every property name anywhere inside a schema. */
function propertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) propertyNames(s, into);
  else if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const name of Object.keys(o.properties)) into.add(name);
    }
    for (const value of Object.values(o)) propertyNames(value, into);
  }
  return into;
}

describeEachDialect('the webhook API in OpenAPI', (dialect) => {
  let h: Harness;
  let doc: any;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    await SwaggerParser.validate(structuredClone(res.json()));
    doc = await SwaggerParser.dereference(res.json());
  });
  afterAll(() => h.close());

  const bodyOf = (path: string, method: string) =>
    doc.paths[path][method].requestBody.content['application/json'].schema;
  const responseOf = (path: string, method: string, status: number) =>
    doc.paths[path][method].responses[status].content['application/json'].schema;

  it('documents every webhook route with its answers, errors included', () => {
    expect(Object.keys(doc.paths[collection]).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths[single]).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths[`${single}/test`]).toHaveProperty('post');
    const expected: [string, string, number[]][] = [
      [collection, 'get', [200, 401, 403, 404]],
      [collection, 'post', [201, 400, 401, 403, 404, 409]],
      [single, 'get', [200, 401, 403, 404]],
      [single, 'patch', [200, 400, 401, 403, 404]],
      [single, 'delete', [204, 401, 403, 404]],
    ];
    for (const [path, method, statuses] of expected) {
      const op = doc.paths[path][method];
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
        expect.arrayContaining(statuses.map(String)),
      );
      expect(op.security, `${method} ${path}`).toEqual(expect.arrayContaining([{ apiKey: [] }]));
      expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
      const error = op.responses['404'].content['application/json'].schema;
      expect(error.properties.error.properties).toHaveProperty('field');
    }
  });

  it('documents the create and change bodies, with the password write-only', () => {
    const create = bodyOf(collection, 'post');
    expect(create.required.sort()).toEqual(['events', 'password', 'url', 'username']);
    expect(create.additionalProperties).toBe(false);
    const patch = bodyOf(single, 'patch');
    expect(patch.required ?? []).toEqual([]);
    for (const body of [create, patch]) {
      expect(Object.keys(body.properties).sort()).toEqual(
        [
          'description',
          'enabled',
          'events',
          'password',
          'url',
          'username',
          'ordering',
          'coalesce_updates',
          'supersede_on_delete',
          'max_age_hours',
        ].sort(),
      );
      // The delivery guarantees, with their defaults spelled out for integrators.
      expect(JSON.stringify(body.properties.ordering)).toContain('per_resource');
      expect(body.properties.coalesce_updates.description).toContain('true (default)');
      expect(body.properties.supersede_on_delete.description).toContain('superseded');
      expect(body.properties.password).toMatchObject({
        type: 'string',
        writeOnly: true,
        maxLength: 1024,
      });
      expect(body.properties.events.items.enum).toEqual([...EVENTS]);
    }
  });

  it('documents the answers with no password in any of them', () => {
    for (const [path, method, status] of [
      [collection, 'post', 201],
      [collection, 'get', 200],
      [single, 'get', 200],
      [single, 'patch', 200],
    ] as const) {
      const names = propertyNames(responseOf(path, method, status));
      expect(names, `${method} ${path}`).toContain('username');
      expect(names, `${method} ${path}`).not.toContain('password');
      expect(names, `${method} ${path}`).not.toContain('password_enc');
    }
    expect(propertyNames(responseOf(collection, 'post', 201))).toContain('signing_secret');
  });

  it('describes the answers the API really gives', async () => {
    const receiver = await TestReceiver.start();
    try {
      const api = apiOf(h, await createFacility(h));
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const check = (schema: object, body: unknown, what: string) => {
        const validate = ajv.compile(schema);
        expect(validate(body), `${what}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      };
      const created = await api.create(webhookBody(receiver.url, { description: 'doc check' }));
      check(responseOf(collection, 'post', 201), created.json, 'create');
      await api.test(created.json.id);
      check(responseOf(single, 'get', 200), (await api.get(created.json.id)).json, 'get');
      check(responseOf(collection, 'get', 200), (await api.list()).json, 'list');
      const patched = await api.patch(created.json.id, { enabled: false });
      check(responseOf(single, 'patch', 200), patched.json, 'patch');
      const refused = await api.create({ ...webhookBody(receiver.url), events: [] });
      check(responseOf(collection, 'post', 400), refused.json, 'error');
    } finally {
      await receiver.close();
    }
  });
});
