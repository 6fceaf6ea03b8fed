// What every scenario gets: the options, shared helper processes, and a place to record
// measurements. A measurement is a flat record of numbers under an id such as
// "drain.1wh.sqlite", tagged with the round it belongs to, so ratios are taken between
// measurements of the same round.
import type { Child } from './child.js';
import type { Options } from './options.js';
import type { Receiver } from './receiver.js';

export interface Measurement {
  id: string;
  round: number;
  values: Record<string, number>;
  /** Wall-clock time the measurement finished (ISO), to line it up with other load. */
  at: string;
}

export interface Context {
  options: Options;
  receiver: Receiver;
  hangingReceiver: Receiver;
  ceilingClient: Child;
  measurements: Measurement[];
  record(id: string, round: number, values: Record<string, number>): void;
  log(message: string): void;
}
