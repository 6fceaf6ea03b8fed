// TablehooksClient against the real API over HTTP: typed results equal to what the API
// serves, and a typed error for each way a receiver's fetch can be refused.
import { type ApiErrorReason, TablehooksApiError, TablehooksClient } from '@tablehooks/receiver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFacility, type TestFacility } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { describeEachDialect } from '../support/stores.js';
import { booking, facilityApi, order, serve } from './integrator-kit.js';

describeEachDialect('the details client against the real API', (dialect) => {
  let h: Harness;
  let baseUrl: string;
  let fac: TestFacility;
  let kit: ReturnType<typeof facilityApi>;
  let client: TablehooksClient;

  beforeAll(async () => {
    h = await createHarness(dialect);
    baseUrl = await serve(h);
    fac = await createFacility(h);
    kit = facilityApi(h, fac);
    client = new TablehooksClient({ baseUrl, apiKey: await fac.keyWith(['read']) });
  });
  afterAll(() => h.close());

  it('fetches a booking and an order exactly as the API serves them', async () => {
    const b = await kit.create('/bookings', booking);
    const o = await kit.create('/productorders', order);
    const fetched = await client.getBooking(fac.id, b.id);
    expect(fetched).toEqual((await kit.api('GET', `/bookings/${b.id}`)).json);
    expect([fetched.name, fetched.num, fetched.table]).toEqual(['Ada Lovelace', 4, '12']);
    const fetchedOrder = await client.getProductOrder(fac.id, o.id);
    expect(fetchedOrder).toEqual((await kit.api('GET', `/productorders/${o.id}`)).json);
    expect(fetchedOrder.items[0]?.unit_price).toBe(1450);
  });

  it("fetches what a trigger points at, by the trigger's action", async () => {
    const b = await kit.create('/bookings', booking);
    const o = await kit.create('/productorders', order);
    const fromBooking = await client.fetchDetails({
      id: b.id,
      facility_id: fac.id,
      action: 'BOOKING_UPDATED',
    });
    const fromOrder = await client.fetchDetails({
      id: o.id,
      facility_id: fac.id,
      action: 'PRODUCTORDER_CREATED',
    });
    expect([fromBooking.name, fromOrder.name]).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  async function refusal(run: () => Promise<unknown>): Promise<TablehooksApiError> {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TablehooksApiError);
    return error as TablehooksApiError;
  }

  const cases: [
    string,
    () => Promise<TablehooksClient>,
    () => Promise<[string, number]>,
    ApiErrorReason,
    number,
  ][] = [
    [
      'a wrong API key',
      async () => new TablehooksClient({ baseUrl, apiKey: 'not-a-key' }),
      async () => [fac.id, (await kit.create('/bookings', booking)).id],
      'unauthorized',
      401,
    ],
    [
      'a key without the read scope',
      async () => new TablehooksClient({ baseUrl, apiKey: await fac.keyWith(['webhooks']) }),
      async () => [fac.id, (await kit.create('/bookings', booking)).id],
      'forbidden',
      403,
    ],
    [
      'an id that does not exist',
      async () => client,
      async () => [fac.id, 999_999_999],
      'not_found',
      404,
    ],
    [
      'a deleted booking',
      async () => client,
      async () => {
        const b = await kit.create('/bookings', booking);
        await kit.api('DELETE', `/bookings/${b.id}`);
        return [fac.id, b.id];
      },
      'not_found',
      404,
    ],
    [
      "another facility's booking",
      async () => client,
      async () => {
        const other = await createFacility(h);
        return [other.id, (await facilityApi(h, other).create('/bookings', booking)).id];
      },
      'not_found',
      404,
    ],
  ];
  it.each(cases)(
    'throws a typed error for %s',
    async (_title, makeClient, target, reason, status) => {
      const c = await makeClient();
      const [facilityId, id] = await target();
      const error = await refusal(() => c.getBooking(facilityId, id));
      expect(error).toMatchObject({ reason, status, code: reason });
    },
  );
});
