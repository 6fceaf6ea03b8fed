// `tablehooks migrate`: bring the schema up to date, one migration at a time, with progress.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { CliError, EXIT } from './errors.js';
import { runtime } from './lazy.js';
import { createOutput } from './output.js';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (serve does this too, on start)')
    .addHelpText(
      'after',
      `
Safe with other processes running or migrating: migrations take a lock and run in order.
Upgrading: back up, run the new version's migrate once, then restart the processes.`,
    )
    .action(async (_options, command: Command) => {
      const out = createOutput(Boolean(command.optsWithGlobals().json));
      const config = loadConfig();
      const { openStore, migrateToLatest } = await runtime();
      const store = openStore({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: 2,
      });
      const started = Date.now();
      let stepStarted = started;
      try {
        const { applied } = await migrateToLatest(store.db, store.profile, (step) => {
          const now = Date.now();
          if (step.index > 0) out.note(`  done in ${now - stepStarted} ms`);
          stepStarted = now;
          out.note(`[${step.index + 1}/${step.pending}] applying ${step.name}`);
        });
        if (applied.length > 0) out.note(`  done in ${Date.now() - stepStarted} ms`);
        out.result({ location: store.location, store: store.profile.name, applied }, () =>
          applied.length === 0
            ? `${store.location}: schema is up to date\n`
            : `${store.location}: applied ${applied.length} migration(s) in ${Date.now() - started} ms\n`,
        );
      } catch (err) {
        throw new CliError(
          `migration failed on ${store.location}: ${(err as Error).message}`,
          EXIT.failure,
          {
            cause: err,
          },
        );
      } finally {
        await store.close();
      }
    });
}
