// `npm run bench [-- --quick]`: runs the scenarios against real processes (tablehooks, a
// receiver, the ceiling client, a BullMQ worker), prints the table and writes the results
// to bench/results/. See docs/performance.md for what each number means.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Child } from './lib/child.js';
import type { Context, Measurement } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { parseOptions } from './lib/options.js';
import { Receiver } from './lib/receiver.js';
import { buildTable, markdown, Results } from './lib/report.js';
import { dropStaleStores } from './lib/service.js';
import { api } from './scenarios/api.js';
import { backlog } from './scenarios/backlog.js';
import { guarantees } from './scenarios/guarantees.js';
import { latency } from './scenarios/latency.js';
import { scaleout } from './scenarios/scaleout.js';
import { throughput } from './scenarios/throughput.js';

const scenarios = { throughput, latency, backlog, api, scaleout, guarantees };

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const log = (message: string) => process.stdout.write(`[${elapsed()}] ${message}\n`);
  const machine = await describeMachine(options.stores);
  log(
    `tablehooks bench (${options.quick ? 'quick' : 'full'}): ${machine.cpus}× ${machine.cpuModel}, load ${machine.loadAverage.join(' ')}${machine.postgresTransport ? `, PostgreSQL over ${machine.postgresTransport === 'socket' ? 'its Unix socket' : 'TCP'}` : ''}`,
  );
  if (options.stores.includes('postgres')) await dropStaleStores();
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });

  const measurements: Measurement[] = [];
  const receiver = await Receiver.start('ok');
  const hangingReceiver = await Receiver.start('hang');
  const { child: ceilingClient } = await Child.start('ceiling.ts', {});
  const ctx: Context = {
    options,
    receiver,
    hangingReceiver,
    ceilingClient,
    measurements,
    log,
    record(id, round, values) {
      measurements.push({ id, round, values, at: new Date().toISOString() });
      const shown = Object.entries(values)
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`)
        .join(' ');
      log(`${id} #${round}: ${shown}`);
    },
  };
  try {
    for (const name of options.only) {
      log(`— ${name}`);
      await scenarios[name](ctx);
    }
  } finally {
    await Promise.all([receiver.stop(), hangingReceiver.stop(), ceilingClient.stop()]);
  }

  const rows = buildTable(new Results(measurements), options.stores);
  const table = markdown(rows);
  const durationSec = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n${table}\n\n`);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const file = new URL(`${stamp}-${options.quick ? 'quick' : 'full'}.json`, dir);
  const { cpuProfileDir: _, ...shownOptions } = options;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: new Date(started).toISOString(),
        durationSec,
        options: shownOptions,
        machine: { ...machine, loadAverageAtEnd: (await describeMachine([])).loadAverage },
        table: rows,
        measurements,
      },
      null,
      2,
    )}\n`,
  );
  log(`done in ${durationSec} s; results in ${file.pathname}`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
