// A plain TCP listener on 127.0.0.1 that counts every connection it accepts (and answers
// HTTP 200), to prove that a refused target was never dialled at all.
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

export class CountingListener {
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(host = '127.0.0.1'): Promise<CountingListener> {
    let self: CountingListener | undefined;
    const server = createServer((socket) => {
      self!.connections++;
      self!.sockets.add(socket);
      socket.on('close', () => self!.sockets.delete(socket));
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    self = new CountingListener(server, (server.address() as AddressInfo).port);
    return self;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
