// Where the dispatcher's attempts are sent from. One attempt is always the same (sender.ts:
// an undici POST with a hard deadline, no redirects, a bounded read, SSRF-safe connects);
// this decides which thread does it. In-process, the attempt shares the event loop with the
// claims, the outcomes and (role all) the API.
import { type Outcome, Sender, type SenderOptions } from './sender.js';

/** What the dispatcher needs: one attempt at a time, as many at once as it likes. */
export interface Senders {
  send(url: string, headers: Record<string, string>, body: string): Promise<Outcome>;
  close(): Promise<void>;
}

export function createSenders(options: SenderOptions): Senders {
  return new Sender(options);
}
