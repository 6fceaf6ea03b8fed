// The fast real receiver, in its own process: node:http, 200 OK (or never an answer, in
// "hang" mode), counting arrivals per path, distinct trigger ids and their times.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childArgs, serveCalls } from '../lib/child.js';
import { now } from '../lib/proc.js';

interface Args {
  mode: 'ok' | 'hang';
  /** The Authorization header every request must carry; others are counted as bad. */
  authorization: string;
}

interface PathStats {
  count: number;
  distinct: number;
  first: number;
  last: number;
  badAuth: number;
  seen: Set<number>;
  /** Only when recording: each distinct id and when it arrived, for latency. */
  ids: number[];
  times: number[];
}

const args = childArgs<Args>();
let paths = new Map<string, PathStats>();
let recording = false;
const hanging = new Set<ServerResponse>();
const idPattern = /"id": ?(\d+)/;

function statsFor(path: string): PathStats {
  let s = paths.get(path);
  if (!s) {
    s = {
      count: 0,
      distinct: 0,
      first: 0,
      last: 0,
      badAuth: 0,
      seen: new Set(),
      ids: [],
      times: [],
    };
    paths.set(path, s);
  }
  return s;
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const at = now();
    const s = statsFor(req.url ?? '/');
    s.count++;
    if (req.headers.authorization !== args.authorization) s.badAuth++;
    const id = Number(idPattern.exec(body)?.[1] ?? -1);
    if (!s.seen.has(id)) {
      s.seen.add(id);
      s.distinct++;
      if (s.first === 0) s.first = at;
      s.last = at;
      if (recording) {
        s.ids.push(id);
        s.times.push(at);
      }
    }
    if (args.mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.headersTimeout = 120_000;
server.requestTimeout = 0;

function summary() {
  const out: Record<string, Omit<PathStats, 'seen' | 'ids' | 'times'>> = {};
  for (const [path, s] of paths) {
    out[path] = {
      count: s.count,
      distinct: s.distinct,
      first: s.first,
      last: s.last,
      badAuth: s.badAuth,
    };
  }
  return out;
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveCalls(
    {
      reset: (a: { record?: boolean }) => {
        paths = new Map();
        recording = a.record === true;
        for (const res of hanging) res.destroy();
        hanging.clear();
        return true;
      },
      stats: () => summary(),
      arrivals: (a: { path: string }) => {
        const s = paths.get(a.path);
        return { ids: s?.ids ?? [], times: s?.times ?? [] };
      },
    },
    { url: `http://127.0.0.1:${port}` },
  );
});
