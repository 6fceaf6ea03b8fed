// The demo's built-in receiver: POST /echo checks the Basic Auth a real integrator would
// check, answers 200 and keeps the last triggers in memory; GET /echo lists them. It exists
// only in a `tablehooks demo` process, never in `serve`.
import type { App } from '../deps.js';
import { basicAuth } from '../dispatcher/payload.js';

export interface EchoEntry {
  received_at: string;
  webhook_id: string | undefined;
  signed: boolean;
  body: unknown;
}

export interface EchoOptions {
  username: string;
  password: string;
  keep: number;
  onTrigger(entry: EchoEntry): void;
}

export function echoReceiver(app: App, o: EchoOptions): void {
  const received: EchoEntry[] = [];
  let count = 0;
  const expected = basicAuth(o.username, o.password);

  app.post('/echo', { schema: { hide: true } }, async (request, reply) => {
    if (request.headers.authorization !== expected) {
      return reply.status(401).send({ error: 'wrong or missing Basic Auth' });
    }
    const header = request.headers['webhook-id'];
    const entry: EchoEntry = {
      received_at: new Date().toISOString(),
      webhook_id: typeof header === 'string' ? header : undefined,
      signed: typeof request.headers['webhook-signature'] === 'string',
      body: request.body,
    };
    count++;
    received.push(entry);
    if (received.length > o.keep) received.shift();
    o.onTrigger(entry);
    return { ok: true };
  });

  app.get('/echo', { schema: { hide: true } }, async () => ({
    count,
    received: [...received].reverse(),
  }));
}
