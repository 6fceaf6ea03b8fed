// Facilities, keys and requests, made through the public API as a client would.
import type { Scope } from '../../src/auth/principal.js';
import { type Harness, OPERATOR_KEY } from './harness.js';

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  key?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(h: Harness, { method, url, key, body, headers }: Call) {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...(key ? { 'api-key': key } : {}), ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  let json: any;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, headers: res.headers, body: res.body };
}

export const operator = (h: Harness, c: Omit<Call, 'key'>) => call(h, { ...c, key: OPERATOR_KEY });

/** A call under one facility (`/v1/facility/:id` + path) with its all-scopes key. */
export type FacilityApi = (
  method: Call['method'],
  path: string,
  body?: unknown,
) => ReturnType<typeof call>;

export const facilityApi =
  (h: Harness, fac: Pick<TestFacility, 'id' | 'key'>): FacilityApi =>
  (method, path, body) =>
    call(h, { method, url: `/v1/facility/${fac.id}${path}`, key: fac.key, body });

/** Adds a webhook (username 'u', password 'p' unless given); fails unless it answers 201. */
export async function addWebhook(
  api: FacilityApi,
  body: { url: string; events: string[] } & Record<string, unknown>,
): Promise<{ id: string; signing_secret: string } & Record<string, any>> {
  const res = await api('POST', '/webhooks', { username: 'u', password: 'p', ...body });
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${res.body}`);
  return res.json;
}

let counter = 0;

export interface TestFacility {
  id: string;
  /** A key with every scope. */
  key: string;
  keyWith(scopes: Scope[]): Promise<string>;
}

export async function createFacility(
  h: Harness,
  options: { id?: string; plan?: 'free' | 'premium' } = {},
): Promise<TestFacility> {
  const id = options.id ?? `fac-${process.pid}-${++counter}`;
  const created = await operator(h, {
    method: 'POST',
    url: '/v1/facility',
    body: { id, name: `Facility ${id}`, plan: options.plan ?? 'premium' },
  });
  if (created.status !== 201) throw new Error(`facility: ${created.status} ${created.body}`);
  const keyWith = async (scopes: Scope[]) => {
    const res = await operator(h, {
      method: 'POST',
      url: `/v1/facility/${id}/api-keys`,
      body: { name: scopes.join('+'), scopes },
    });
    if (res.status !== 201) throw new Error(`api key: ${res.status} ${res.body}`);
    return res.json.key as string;
  };
  return { id, key: await keyWith(['read', 'write', 'webhooks']), keyWith };
}

/** How many rows a resource's table and the events table hold: bad input changes neither. */
export async function rowCounts(h: Harness, table: 'bookings' | 'productorders') {
  const count = async (name: typeof table | 'events') =>
    Number(
      (
        await h.store.db
          .selectFrom(name)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { rows: await count(table), events: await count('events') };
}
