import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';

describeEachDialect('the OpenAPI document for bookings, orders and events', (dialect) => {
  let h: Harness;
  let doc: any;
  beforeAll(async () => {
    h = await createHarness(dialect);
    doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => h.close());

  it('stays a valid OpenAPI 3 document with these routes in it', async () => {
    await SwaggerParser.validate(structuredClone(doc));
  });

  it.each([
    ['/v1/facility/{facility_id}/bookings', ['get', 'post'], 'bookings'],
    ['/v1/facility/{facility_id}/bookings/{booking_id}', ['get', 'patch', 'delete'], 'bookings'],
    ['/v1/facility/{facility_id}/productorders', ['get', 'post'], 'productorders'],
    [
      '/v1/facility/{facility_id}/productorders/{order_id}',
      ['get', 'patch', 'delete'],
      'productorders',
    ],
    ['/v1/facility/{facility_id}/events', ['post'], 'events'],
  ])('describes %s with its methods, tag, security and responses', (path, methods, tag) => {
    const item = doc.paths[path];
    expect(item, path).toBeDefined();
    expect(Object.keys(item).sort()).toEqual([...methods].sort());
    for (const m of methods) {
      const op = item[m];
      expect(op.tags).toEqual([tag]);
      expect(op.security).toEqual([{ apiKey: [] }, { bearer: [] }, { cookie: [] }]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '404']));
      const ok = Object.keys(op.responses).find((c) => c.startsWith('2'));
      expect(ok, `${m} ${path}`).toBeDefined();
    }
  });

  it('documents the booking and order fields and the ingest answer', () => {
    const booking = doc.paths['/v1/facility/{facility_id}/bookings'].post;
    const created = booking.responses['201'].content['application/json'].schema;
    expect(Object.keys(created.properties)).toEqual(
      expect.arrayContaining(['id', 'num', 'date', 'duration', 'status', 'table', 'ref_num']),
    );
    const order = doc.paths['/v1/facility/{facility_id}/productorders'].post;
    const body = order.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.type.enum).toEqual(['pickup', 'delivery']);
    const ingest = doc.paths['/v1/facility/{facility_id}/events'].post;
    const answer = ingest.responses['202'].content['application/json'].schema;
    expect(Object.keys(answer.properties)).toEqual([
      'event_id',
      'facility_id',
      'type',
      'id',
      'action',
    ]);
  });
});
