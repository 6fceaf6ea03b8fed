import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../src/index.js';
import {
  type Behaviour,
  BODY,
  OPTIONS,
  type Running,
  type Start,
  startExpress,
  startFastify,
  startNode,
  triggerHeaders,
} from './servers.js';

const frameworks: [string, Start][] = [
  ['node:http', startNode],
  ['Express without a body parser', startExpress('none')],
  ['Express behind express.raw()', startExpress('raw')],
  ['Fastify', startFastify],
];

let receiver: Running | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function post(headers: Record<string, string>, body: string | Buffer = BODY) {
  const res = await fetch(receiver!.url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const otherSecret = `whsec_${Buffer.alloc(32, 6).toString('base64')}`;
const extraField =
  '{"id": 1, "facility_id": "the-fish", "action": "BOOKING_CREATED", "name": "Ada"}';

describe.each(frameworks)('the %s receiver', (_name, start) => {
  async function startWith(behaviour?: Behaviour) {
    receiver = await start(behaviour);
    return receiver;
  }

  it('hands the handler the typed trigger of a genuine request and answers 204', async () => {
    const r = await startWith();
    const res = await post(triggerHeaders(BODY, { 'webhook-test': 'true' }));
    expect(res.status).toBe(204);
    expect(r.events).toEqual([
      {
        trigger: { id: 51918313, facility_id: 'the-fish', action: 'BOOKING_CREATED' },
        webhookId: 'msg_2uPRC8Cew4yrHpXj',
        timestamp: expect.any(Number),
        test: true,
      },
    ]);
  });

  it("sends the handler's own answer when it gives one", async () => {
    await startWith((_event, res) => res.status(202, 'queued'));
    const res = await post(triggerHeaders());
    expect([res.status, res.text]).toEqual([202, 'queued']);
  });

  const wrongPassword = `Basic ${Buffer.from('zapier:pä').toString('base64')}`;
  const unauthorized: [string, Record<string, string | undefined>, string?][] = [
    ['a wrong password', { authorization: wrongPassword }],
    ['no Authorization header', { authorization: undefined }],
    ['a malformed Authorization header', { authorization: 'Basic !!' }],
    ['no signature', { 'webhook-signature': undefined }],
    [
      'a signature made with another secret',
      {
        'webhook-signature': sign(
          otherSecret,
          'msg_2uPRC8Cew4yrHpXj',
          Math.floor(Date.now() / 1000),
          BODY,
        ),
      },
    ],
    ['a stale timestamp', { 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) }],
    ['a tampered body', {}, BODY.replace('51918313', '51918314')],
  ];
  it.each(unauthorized)(
    'answers 401 with a Basic challenge to %s and never calls the handler',
    async (_t, over, body = BODY) => {
      const r = await startWith();
      const res = await post(triggerHeaders(BODY, over), body);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(JSON.parse(res.text).error.code).toMatch(
        /authorization|credentials|signature|timestamp/,
      );
      expect(r.events).toEqual([]);
    },
  );

  const badBodies: [string, string, string][] = [
    ['an extra field', extraField, 'invalid_trigger'],
    ['a body that is not JSON', 'id=1', 'invalid_json'],
    ['an empty body', '', 'invalid_json'],
  ];
  it.each(badBodies)('answers 400 to a signed body with %s', async (_t, body, code) => {
    const r = await startWith();
    const res = await post(triggerHeaders(body), body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe(code);
    expect(r.events).toEqual([]);
  });

  it('answers 500 when the handler throws, so tablehooks retries', async () => {
    await startWith(() => {
      throw new Error('database down');
    });
    expect((await post(triggerHeaders())).status).toBe(500);
  });

  it('checks the signature over the exact bytes of a non-UTF-8 body before refusing it as 400', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    await startWith();
    const headers = triggerHeaders(BODY);
    headers['webhook-signature'] = sign(
      OPTIONS.secret as string,
      headers['webhook-id']!,
      Number(headers['webhook-timestamp']),
      bytes,
    );
    expect((await post(headers, bytes)).status).toBe(400);
  });
});

describe('framework specifics', () => {
  it('node:http: answers 405 to another method and 413 to an oversized body', async () => {
    receiver = await startNode();
    expect((await fetch(receiver.url)).status).toBe(405);
    const big = 'x'.repeat(70_000);
    expect((await post(triggerHeaders(big), big)).status).toBe(413);
    expect(receiver.events).toEqual([]);
  });

  it('Express: passes an explanation to next() when express.json() already consumed the body', async () => {
    receiver = await startExpress('json')();
    const res = await post(triggerHeaders());
    expect(res.status).toBe(500);
    expect(res.text).toMatch(/express\.raw/);
    expect(receiver.events).toEqual([]);
  });

  it('Fastify: keeps parsing JSON for the rest of the app', async () => {
    receiver = await startFastify();
    const echo = await fetch(receiver.url.replace('/hook', '/echo'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"still": "json"}',
    });
    expect(await echo.json()).toEqual({ still: 'json' });
  });
});
