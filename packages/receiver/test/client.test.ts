// The client's own behaviour: URLs, headers and what it makes of answers the real API never
// gives (a proxy's HTML error page, a hang, a refused connection). Its results against the
// real server are tested in packages/server/test/integrators.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiErrorReason, TablehooksApiError, TablehooksClient } from '../src/index.js';

const API_KEY = 'key_live_0123456789abcdef';
let server: Server | undefined;
const seen: IncomingMessage[] = [];

async function peer(answer: (res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    seen.push(req);
    answer(res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  seen.length = 0;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function failure(run: () => Promise<unknown>): Promise<TablehooksApiError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TablehooksApiError);
  expect((error as Error).message).not.toContain(API_KEY);
  return error as TablehooksApiError;
}

const json = (status: number, body: unknown) => (res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('TablehooksClient', () => {
  it('GETs the resource under the base URL (any trailing slash, any path prefix) with the Api-Key header', async () => {
    const base = await peer(json(200, { id: 7 }));
    const client = new TablehooksClient({ baseUrl: `${base}/tablehooks/`, apiKey: API_KEY });
    await client.getBooking('the-fish', 7);
    await client.fetchDetails({ id: 8, facility_id: 'the-fish', action: 'PRODUCTORDER_UPDATED' });
    expect(seen.map((r) => [r.method, r.url, r.headers['api-key']])).toEqual([
      ['GET', '/tablehooks/v1/facility/the-fish/bookings/7', API_KEY],
      ['GET', '/tablehooks/v1/facility/the-fish/productorders/8', API_KEY],
    ]);
  });

  const answers: [string, (res: ServerResponse) => void, ApiErrorReason, number, RegExp][] = [
    [
      '401 from the API',
      json(401, { error: { code: 'unauthorized', message: 'an API key is required' } }),
      'unauthorized',
      401,
      /401: an API key is required \(the API key is missing, wrong or revoked\)/,
    ],
    [
      '403 from the API',
      json(403, { error: { code: 'forbidden', message: 'lacks the "read" scope' } }),
      'forbidden',
      403,
      /403/,
    ],
    [
      '404 from the API',
      json(404, { error: { code: 'not_found', message: 'booking not found' } }),
      'not_found',
      404,
      /booking not found \(no such resource/,
    ],
    [
      "a proxy's 502 page",
      (res) => res.writeHead(502).end('<html>Bad Gateway</html>'),
      'http_error',
      502,
      /502: <html>Bad Gateway/,
    ],
    [
      'a 200 that is not JSON',
      (res) => res.writeHead(200).end('<html>login</html>'),
      'invalid_response',
      200,
      /not JSON/,
    ],
  ];
  it.each(answers)(
    'throws a typed error for %s',
    async (_title, answer, reason, status, message) => {
      const client = new TablehooksClient({ baseUrl: await peer(answer), apiKey: API_KEY });
      const error = await failure(() => client.getBooking('the-fish', 1));
      expect(error).toMatchObject({ reason, status });
      expect(error.message).toMatch(message);
    },
  );

  it('keeps the API error code', async () => {
    const base = await peer(json(404, { error: { code: 'not_found', message: 'x' } }));
    const client = new TablehooksClient({ baseUrl: base, apiKey: API_KEY });
    expect((await failure(() => client.getProductOrder('a', 1))).code).toBe('not_found');
  });

  it('throws network_error, with status 0 and the cause, when nothing answers', async () => {
    const base = await peer(() => {});
    server!.close();
    server!.closeAllConnections();
    const client = new TablehooksClient({ baseUrl: base, apiKey: API_KEY });
    const error = await failure(() => client.getBooking('the-fish', 1));
    expect(error).toMatchObject({ reason: 'network_error', status: 0 });
    expect(error.cause).toBeDefined();
  });

  it('gives up on an API that hangs after timeoutMs', async () => {
    const base = await peer(() => {});
    const client = new TablehooksClient({ baseUrl: base, apiKey: API_KEY, timeoutMs: 50 });
    expect(await failure(() => client.getBooking('the-fish', 1))).toMatchObject({
      reason: 'network_error',
    });
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const client = new TablehooksClient({
      baseUrl: 'http://tablehooks.invalid',
      apiKey: API_KEY,
      fetch: async (url) => {
        calls.push(String(url));
        return new Response('{"id": 3}', { status: 200 });
      },
    });
    expect(await client.getBooking('the-fish', 3)).toEqual({ id: 3 });
    expect(calls).toEqual(['http://tablehooks.invalid/v1/facility/the-fish/bookings/3']);
  });
});
