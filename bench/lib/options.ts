// Command line: `npm run bench -- [--quick] [--only=a,b] [--stores=sqlite,postgres]
// [--rounds=N] [--cpu-prof]`. Quick mode keeps the whole run under two minutes.
import type { StoreKind } from './service.js';

export const SCENARIOS = [
  'throughput',
  'latency',
  'backlog',
  'api',
  'scaleout',
  'guarantees',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Options {
  quick: boolean;
  only: ScenarioName[];
  stores: StoreKind[];
  /** Rounds of the throughput scenarios (ceiling, drain, steady, isolation, BullMQ). */
  rounds: number;
  /** Events per throughput measurement. */
  events: number;
  /** Steady mode: events pushed through the API per measurement. */
  steadyEvents: number;
  /** Seconds of fixed-rate load per latency measurement. */
  latencySeconds: number;
  latencyRates: number[];
  /** Pending deliveries for the backlog scenario, and how many of them to time. */
  backlog: number;
  backlogWindow: number;
  apiSeconds: number;
  /** Seconds of API load before a measured API or latency run: the JIT needs them (cold, a booking costs ~10× the CPU). */
  warmupSeconds: number;
  cpuProfileDir: string | undefined;
}

export function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument "${arg}" (try --quick, --only=throughput,latency)`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  const known = ['quick', 'only', 'stores', 'rounds', 'cpu-prof'];
  for (const name of flags.keys()) {
    if (!known.includes(name))
      throw new Error(`unknown option --${name}; known: ${known.join(', ')}`);
  }
  const quick = flags.get('quick') === 'true';
  const list = <T extends string>(name: string, all: readonly T[]): T[] => {
    const raw = flags.get(name);
    if (!raw) return [...all];
    const picked = raw.split(',').map((s) => s.trim()) as T[];
    for (const p of picked)
      if (!all.includes(p)) throw new Error(`--${name}: unknown "${p}"; one of ${all.join(', ')}`);
    return picked;
  };
  const rounds = Number(flags.get('rounds') ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error('--rounds: 1 to 10');
  const prof = flags.get('cpu-prof');
  return {
    quick,
    only: list('only', SCENARIOS),
    stores: list('stores', ['sqlite', 'postgres'] as const),
    rounds,
    events: quick ? 2_000 : 20_000,
    steadyEvents: quick ? 300 : 5_000,
    latencySeconds: quick ? 2 : 15,
    latencyRates: quick ? [200] : [200, 1_000],
    backlog: quick ? 10_000 : 1_000_000,
    backlogWindow: quick ? 3_000 : 50_000,
    apiSeconds: quick ? 2 : 10,
    warmupSeconds: quick ? 1 : 3,
    cpuProfileDir:
      prof === undefined ? undefined : prof === 'true' ? 'bench/results/profiles' : prof,
  };
}
