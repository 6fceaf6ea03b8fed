// A real HTTP receiver on 127.0.0.1:0 (svix's TestReceiver): records every request, and its
// answer can be changed mid-test.
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'hang'
  | ((res: ServerResponse) => void);

export class TestReceiver {
  readonly received: Received[] = [];
  private server!: Server;
  private replies: Reply[] = [];
  private fallback: Reply = { status: 200, body: 'ok' };
  private waiters: { n: number; resolve: () => void }[] = [];
  private readonly hanging = new Set<ServerResponse>();
  url = '';
  /** Requests being answered right now, and the most there ever were at once. */
  open = 0;
  maxOpen = 0;

  static async start(): Promise<TestReceiver> {
    const r = new TestReceiver();
    r.server = createServer((req, res) => {
      r.open++;
      r.maxOpen = Math.max(r.maxOpen, r.open);
      res.on('close', () => {
        r.open--;
      });
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        r.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        for (const w of r.waiters.filter((w) => r.received.length >= w.n)) {
          r.waiters.splice(r.waiters.indexOf(w), 1);
          w.resolve();
        }
        r.answer(res, r.replies.shift() ?? r.fallback);
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
    return r;
  }

  private answer(res: ServerResponse, reply: Reply): void {
    if (reply === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (typeof reply === 'function') {
      reply(res);
      return;
    }
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? '');
  }

  /** The next requests get these answers, in order; then the default. */
  queue(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  /** The answer for every request once the queue is empty. */
  setDefault(reply: Reply): void {
    this.fallback = reply;
  }

  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`receiver got ${this.received.length} of ${n} requests in ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
