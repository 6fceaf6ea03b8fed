// Real receivers on 127.0.0.1:0, one per framework, built only from the library's middlewares.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import {
  expressReceiver,
  fastifyReceiver,
  nodeReceiver,
  type ReceiverOptions,
  sign,
  type WebhookEvent,
} from '../src/index.js';

export const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
export const OPTIONS: ReceiverOptions = { username: 'zapier', password: 'pä:ss', secret: SECRET };
export const BODY = '{"id": 51918313, "facility_id": "the-fish", "action": "BOOKING_CREATED"}';

/** What the receiver's handler does with a verified event: answer itself, throw, or nothing. */
export type Behaviour = (
  event: WebhookEvent,
  res: { status(n: number, body: string): void },
) => unknown;

export interface Running {
  url: string;
  events: WebhookEvent[];
  close(): Promise<void>;
}

export type Start = (behaviour?: Behaviour, options?: ReceiverOptions) => Promise<Running>;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function running(server: Server, events: WebhookEvent[]): Promise<Running> {
  const url = await listen(server);
  return {
    url,
    events,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export const startNode: Start = async (behaviour = () => {}, options = OPTIONS) => {
  const events: WebhookEvent[] = [];
  const server = createServer(
    nodeReceiver({ ...options, onError: () => {} }, (event, _req, res) => {
      events.push(event);
      return behaviour(event, { status: (n, body) => res.writeHead(n).end(body) });
    }),
  );
  return running(server, events);
};

export function startExpress(parser: 'none' | 'raw' | 'json'): Start {
  return async (behaviour = () => {}, options = OPTIONS) => {
    const events: WebhookEvent[] = [];
    const app = express();
    if (parser === 'json') app.use(express.json());
    const raw = parser === 'raw' ? [express.raw({ type: '*/*' })] : [];
    app.post(
      '/hook',
      ...raw,
      expressReceiver(options, (event, _req: express.Request, res: express.Response) => {
        events.push(event);
        return behaviour(event, { status: (n, body) => res.status(n).send(body) });
      }),
    );
    app.use(
      (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).send(error.message);
      },
    );
    return running(createServer(app), events);
  };
}

export const startFastify: Start = async (behaviour = () => {}, options = OPTIONS) => {
  const events: WebhookEvent[] = [];
  const app = Fastify();
  // The rest of the app keeps Fastify's JSON parsing; only the receiver sees raw bytes.
  app.post('/echo', async (request) => request.body);
  await app.register(fastifyReceiver, {
    ...options,
    path: '/hook',
    handler: async (event, _request, reply) => {
      events.push(event);
      return behaviour(event, { status: (n, body) => reply.code(n).send(body) });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, events, close: () => app.close() };
};

/** The headers tablehooks sends with `body`, signed now; `over` replaces or removes some. */
export function triggerHeaders(
  body = BODY,
  over: Record<string, string | undefined> = {},
): Record<string, string> {
  const id = 'msg_2uPRC8Cew4yrHpXj';
  const timestamp = Math.floor(Date.now() / 1000);
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    authorization: `Basic ${Buffer.from('zapier:pä:ss').toString('base64')}`,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(SECRET, id, timestamp, body),
    ...over,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}
