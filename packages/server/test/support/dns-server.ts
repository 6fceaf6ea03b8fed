// A real DNS server on 127.0.0.1 (UDP), for tests of the resolver that deliveries use: it
// answers A queries for the names it was given, "no data" for their AAAA, and NXDOMAIN for
// anything else. Just enough of RFC 1035 for c-ares.
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export class TestDnsServer {
  /** Queries answered, by name. */
  readonly asked: string[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly records: Map<string, string>,
  ) {}

  /** `records`: lower-case name → IPv4 address. */
  static async start(records: Record<string, string>): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    const server = new TestDnsServer(socket, new Map(Object.entries(records)));
    socket.on('message', (query, from) => {
      const answer = server.answer(query);
      if (answer) socket.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return server;
  }

  get address(): string {
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  private answer(query: Buffer): Buffer | undefined {
    if (query.length < 17) return undefined;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at]! > 0) {
      const length = query[at]!;
      labels.push(query.subarray(at + 1, at + 1 + length).toString('latin1'));
      at += 1 + length;
    }
    const questionEnd = at + 5; // the zero label, QTYPE, QCLASS
    if (questionEnd > query.length) return undefined;
    const name = labels.join('.').toLowerCase();
    const type = query.readUInt16BE(at + 1);
    this.asked.push(name);
    const address = this.records.get(name);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // the id
    // QR, RD and RA set; RCODE 3 (NXDOMAIN) for a name we don't know.
    header.writeUInt16BE(0x8180 | (address === undefined ? 3 : 0), 2);
    header.writeUInt16BE(1, 4); // one question
    const withA = address !== undefined && type === 1;
    header.writeUInt16BE(withA ? 1 : 0, 6);
    const question = query.subarray(12, questionEnd);
    if (!withA) return Buffer.concat([header, question]);
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(1, 2); // A
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(5, 6); // TTL
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => {
      record[12 + i] = Number(octet);
    });
    return Buffer.concat([header, question, record]);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
