// `tablehooks facility create|list|set-plan`: restaurants and their plan.
import { Argument, type Command, Option } from 'commander';
import type { Plan } from '../db/schema.js';
import { runtime } from './lazy.js';
import { parseInteger } from './options.js';
import { keyValues, table } from './output.js';

const PLANS = ['free', 'premium'] as const;

export function facilityCommands(program: Command): void {
  const facility = program
    .command('facility')
    .description('create and list facilities, change their plan');

  facility
    .command('create')
    .description('create a facility (webhooks need the premium plan)')
    .argument('<id>', 'the slug, e.g. the-fish (lowercase letters, digits, dashes)')
    .requiredOption('--name <name>', 'the name people see, e.g. "The Fish"')
    .addOption(new Option('--plan <plan>', 'free or premium').choices(PLANS).default('free'))
    .action(async (id: string, options: { name: string; plan: Plan }, command: Command) => {
      const rt = await runtime();
      const input = { id, name: options.name, plan: options.plan };
      rt.checkInput(rt.CreateFacilityBody, input, { id: '<id>', name: '--name', plan: '--plan' });
      await rt.withContext(
        command,
        async ({ deps, out }) => {
          const created = await rt.facilitiesService(deps).create(input);
          out.result(
            created,
            () => `created facility ${created.id} (${created.name}, ${created.plan})\n`,
          );
        },
        { create: true },
      );
    });

  facility
    .command('list')
    .description('list facilities')
    .option('--limit <n>', 'at most this many', parseInteger(1, 500), 100)
    .option('--offset <n>', 'skip this many', parseInteger(0, 10_000_000), 0)
    .action(async (options: { limit: number; offset: number }, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, out }) => {
        const page = await rt.facilitiesService(deps).list(options.limit, options.offset);
        out.result(page, () => {
          const rows = table(page.objects, [
            ['ID', (f) => f.id],
            ['PLAN', (f) => f.plan],
            ['CREATED', (f) => f.created_at],
            ['NAME', (f) => f.name],
          ]);
          return `${rows}(${page.objects.length} of ${page.meta.total_count})\n`;
        });
      });
    });

  facility
    .command('set-plan')
    .description('change the plan: free pauses its webhooks, premium resumes them')
    .argument('<id>', 'the facility')
    .addArgument(new Argument('<plan>', 'free or premium').choices(PLANS))
    .action(async (id: string, plan: Plan, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, out }) => {
        const updated = await rt.facilitiesService(deps).update(id, { plan });
        out.result(updated, () =>
          keyValues([
            ['facility', updated.id],
            ['plan', updated.plan],
            [
              'webhooks',
              plan === 'premium'
                ? 'active (held deliveries are sent now)'
                : 'paused (deliveries are held)',
            ],
          ]),
        );
      });
    });
}
