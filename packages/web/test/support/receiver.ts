// A real webhook receiver on 127.0.0.1:0 whose answer the test switches (200 ↔ 500).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export class TestReceiver {
  status = 200;
  /** When set: a request whose Authorization it refuses is answered 401. */
  accept: ((authorization: string | undefined) => boolean) | undefined;
  readonly received: Received[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks/tablehooks'): Promise<TestReceiver> {
    let self: TestReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        self!.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        const refused = self!.accept && !self!.accept(req.headers.authorization);
        const status = refused ? 401 : self!.status;
        const ok = status < 400;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(ok ? 'thanks, got it' : 'receiver is down for maintenance');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new TestReceiver(server, `http://127.0.0.1:${port}${path}`);
    return self;
  }

  /** The thin triggers received, as parsed JSON. */
  bodies(): { id: number; facility_id: string; action: string }[] {
    return this.received.map((r) => JSON.parse(r.body));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
