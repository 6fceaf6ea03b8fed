// `tablehooks serve` (the default command, so `npm start` serves). The server is loaded only
// when it runs: see server.ts.
import { type Command, Option } from 'commander';
import { loadConfig, type Role } from '../config.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the API and UI and deliver webhooks (the default command)')
    .addOption(
      new Option(
        '--role <role>',
        'what this process does (default: TABLEHOOKS_ROLE, else all)',
      ).choices(['all', 'api', 'dispatcher']),
    )
    .addHelpText(
      'after',
      `
Roles: all = API, UI and dispatcher in one process (embedded SQLite); api = HTTP only;
dispatcher = deliveries and retention (it still answers /healthz, /readyz and /metrics).
Run any number of api and dispatcher processes against one PostgreSQL (docs/operations.md).`,
    )
    .action(async (options: { role?: Role }) => {
      const config = loadConfig();
      const { serve } = await import('./server.js');
      await serve(options.role ? { ...config, role: options.role } : config);
    });
}
