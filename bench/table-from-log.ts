// Rebuilds the table from a bench run's log (each measurement is logged as it is taken), for
// a run cut short before it wrote its JSON: `tsx bench/table-from-log.ts <log>`.
import { readFileSync } from 'node:fs';
import type { Measurement } from './lib/context.js';
import { buildTable, markdown, Results } from './lib/report.js';

const measurements: Measurement[] = [];
for (const line of readFileSync(process.argv[2]!, 'utf8').split('\n')) {
  const m = /^\[\s*\d+ s\] (\S+) #(\d+): (.*)$/.exec(line);
  if (!m) continue;
  const values: Record<string, number> = {};
  for (const pair of m[3]!.split(' ')) {
    const [k, v] = pair.split('=');
    if (k && v !== undefined) values[k] = Number(v);
  }
  measurements.push({ id: m[1]!, round: Number(m[2]), values, at: '' });
}
process.stdout.write(
  `${markdown(buildTable(new Results(measurements), ['sqlite', 'postgres']))}\n`,
);
