// The `tablehooks` command. Each command group lives in its own file; this one wires them up
// and turns every failure into a message on stderr and an exit code that means something.
import { Command, CommanderError } from 'commander';
import { version } from '../version.js';
import { apiKeyCommands } from './api-key.js';
import { deliveryCommands } from './deliveries.js';
import { demoCommand } from './demo.js';
import { describeError, EXIT } from './errors.js';
import { facilityCommands } from './facility.js';
import { migrateCommand } from './migrate.js';
import { recoverCommand } from './recover.js';
import { rotateKeyCommand } from './rotate-key.js';
import { serveCommand } from './serve.js';
import { setupCommand } from './setup.js';
import { userCommands } from './user.js';
import { webhookCommands } from './webhook.js';

const EXIT_CODES = `
Exit codes:
  0  done
  1  failed unexpectedly (the message says why)
  2  bad arguments or configuration
  3  not found (facility, webhook, delivery, key)
  4  refused as things stand (already exists, plan or state doesn't allow it)
  5  the database can't be reached

Configuration comes from the environment, as for serve (TABLEHOOKS_*, DATABASE_URL).`;

export function buildProgram(): Command {
  const program = new Command('tablehooks')
    .description('Real-time webhooks for restaurant reservations and online orders.')
    .version(version, '-V, --version')
    .option('--json', 'print results as JSON, for scripts')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText('after', EXIT_CODES);
  // Commands made through program.command() inherit exitOverride and the output settings.
  serveCommand(program);
  setupCommand(program);
  demoCommand(program);
  migrateCommand(program);
  facilityCommands(program);
  apiKeyCommands(program);
  userCommands(program);
  webhookCommands(program);
  deliveryCommands(program);
  recoverCommand(program);
  rotateKeyCommand(program);
  return program;
}

/** Runs the command line (without `node` and the script); no arguments means `serve`. */
export async function runCli(args: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(args.length === 0 ? ['serve'] : args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message or the help; help asked for exits 0, help
      // shown because something was missing (`tablehooks facility`) is a usage error.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const { message, exitCode } = describeError(err);
    process.stderr.write(`tablehooks: ${message}\n`);
    process.exitCode = exitCode;
  }
}
