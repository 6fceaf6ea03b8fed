// A sender thread (senders.ts, TABLEHOOKS_SENDER_THREADS): runs attempts with the same
// Sender as in-process, so every behaviour of one attempt (deadline, body cap, no
// redirects, SSRF-safe connects, the answer's credential scrub) is the same code. Requests
// and outcomes cross in batches, one message per turn of the event loop each way:
// a message per attempt cost more than the attempt's own work in the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { type Outcome, Sender } from './sender.js';
import type { WorkerRequest, WorkerSetup } from './senders.js';

const setup = workerData as WorkerSetup;
const sender = new Sender({
  timeoutMs: setup.timeoutMs,
  bodyLimit: setup.bodyLimit,
  policy: { allowedCidrs: setup.allowedCidrs },
  // The main thread stamps each outcome's start with its own (injected) clock.
  clock: systemClock,
  ...(setup.tls ? { tls: setup.tls } : {}),
});
const port = parentPort!;

let replies: [number, Outcome][] = [];
let scheduled = false;
function reply(id: number, outcome: Outcome): void {
  replies.push([id, outcome]);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const batch = replies;
    replies = [];
    port.postMessage(batch);
  });
}

port.on('message', (msg: WorkerRequest[] | 'close') => {
  if (msg === 'close') {
    void sender.close().finally(() => port.close());
    return;
  }
  for (const [id, url, headers, body] of msg) {
    // send() turns every failure into an outcome; a throw here would be our bug.
    sender.send(url, headers, body).then(
      (outcome) => reply(id, outcome),
      (err: unknown) =>
        reply(id, {
          startedAt: Date.now(),
          durationMs: 0,
          statusCode: null,
          responseBody: null,
          errorClass: 'network',
          errorMessage: `sender thread: ${err instanceof Error ? err.message : String(err)}`.slice(
            0,
            500,
          ),
          success: false,
          retryAfter: undefined,
        }),
    );
  }
});
