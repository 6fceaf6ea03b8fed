// `tablehooks demo`: serve, with a demo facility full of bookings and orders and a webhook to
// a receiver built into this same process. What it runs is in demo-run.ts.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { DemoOptions } from './demo-run.js';
import { parseInteger } from './options.js';

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'serve with a demo facility: bookings, orders, and a webhook to a built-in echo receiver',
    )
    .option('--facility <id>', 'the demo facility', 'demo-bistro')
    .option('--bookings <n>', 'bookings to create', parseInteger(0, 1000), 12)
    .option('--orders <n>', 'orders to create', parseInteger(0, 1000), 6)
    .addHelpText(
      'after',
      `
Runs the whole server (API, UI, dispatcher) on TABLEHOOKS_PORT, so stop a running one first.
Every trigger the echo receiver gets is printed here; GET /echo lists the last 100.`,
    )
    .action(async (options: DemoOptions) => {
      const { runDemo } = await import('./demo-run.js');
      await runDemo(loadConfig(), options);
    });
}
