// A sender thread (senders.ts, TABLEHOOKS_SENDER_THREADS): runs attempts with the same
// Sender as in-process, so every behaviour of one attempt (deadline, body cap, no
// redirects, SSRF-safe connects, the answer's credential scrub) is the same code. Chains of
// attempts and their outcomes cross in batches, one message per turn of the event loop each
// way: a message per attempt cost more than the attempt's own work in the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { type Outcome, Sender } from './sender.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './senders.js';

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

let replies: WorkerReply[] = [];
let scheduled = false;
function reply(r: WorkerReply): void {
  replies.push(r);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const batch = replies;
    replies = [];
    port.postMessage(batch);
  });
}

port.on('message', (msg: WorkerRequest[] | 'close' | 'halt') => {
  if (msg === 'close') {
    void sender.close().finally(() => port.close());
    return;
  }
  if (msg === 'halt') {
    sender.halt();
    return;
  }
  for (const [id, items] of msg) {
    // send() turns every failure into an outcome; a throw here would be our bug, reported
    // as the failure of the attempt it broke (or, before any, of the first).
    let reported = 0;
    sender
      .chain(items, (index, outcome, offsetMs) => {
        reported = index + 1;
        reply([id, index, outcome, offsetMs]);
      })
      .then(
        (attempted) => reply([id, attempted]),
        (err: unknown) => {
          if (reported < items.length) reply([id, reported++, broken(err), 0]);
          reply([id, reported]);
        },
      );
  }
});

function broken(err: unknown): Outcome {
  return {
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
  };
}
