// `tablehooks setup`: the first facility (premium, so webhooks work) and its owner, asked
// for on a terminal or given as flags by a script.
import type { Command } from 'commander';
import { CliError, EXIT, usageError } from './errors.js';
import { runtime } from './lazy.js';
import { ask, askPassword, canPrompt } from './prompt.js';

interface SetupOptions {
  facility?: string;
  name?: string;
  email?: string;
  password?: string;
}

const FLAGS = {
  facility: '--facility',
  name: '--name',
  email: '--email',
  password: '--password',
} as const;

export function setupCommand(program: Command): void {
  program
    .command('setup')
    .description('first run: create the first facility (premium) and its owner, then log in')
    .option('--facility <id>', 'its slug, e.g. the-fish')
    .option('--name <name>', 'its name, e.g. "The Fish"')
    .option('--email <email>', "the owner's login")
    .option('--password <password>', "the owner's password (8+ characters)")
    .addHelpText(
      'after',
      `
On a terminal, whatever is left out is asked for. Without a terminal (a script), every flag
is required. Example:
  tablehooks setup --facility the-fish --name "The Fish" --email owner@the-fish.example --password '…'`,
    )
    .action(async (options: SetupOptions, command: Command) => {
      const rt = await runtime();
      await rt.withContext(
        command,
        async ({ deps, store, config, out }) => {
          if (await rt.hasFacilities(store.db)) {
            throw new CliError(
              'already set up: a facility exists. Add more with `tablehooks facility create` and `tablehooks user create`.',
              EXIT.refused,
            );
          }
          const answers = await complete(options);
          const facilityInput = {
            id: answers.facility,
            name: answers.name,
            plan: 'premium' as const,
          };
          const userInput = {
            email: answers.email,
            password: answers.password,
            role: 'owner' as const,
          };
          rt.checkInput(rt.CreateFacilityBody, facilityInput, {
            id: FLAGS.facility,
            name: FLAGS.name,
          });
          rt.checkInput(rt.CreateUserBody, userInput, {
            email: FLAGS.email,
            password: FLAGS.password,
          });

          const facility = await rt.facilitiesService(deps).create(facilityInput);
          const owner = await rt.credentialsService(deps).createUser(facility.id, userInput);
          const url = rt.browserUrl(config);
          out.result({ facility, owner, login_url: url }, () =>
            [
              `Created ${facility.name} (${facility.id}, premium plan) and its owner ${owner.email}.`,
              `Log in at ${url} and open Settings > Integration > Developers > Webhooks.`,
              'No server running? Start one with: npm start',
              '',
            ].join('\n'),
          );
        },
        { create: true },
      );
    });
}

async function complete(o: SetupOptions): Promise<Required<SetupOptions>> {
  const missing = (Object.keys(FLAGS) as (keyof SetupOptions)[]).filter((k) => o[k] === undefined);
  if (missing.length === 0) return o as Required<SetupOptions>;
  if (!canPrompt()) {
    throw usageError(
      `missing ${missing.map((k) => FLAGS[k]).join(', ')} (stdin is not a terminal, so they cannot be asked for)`,
    );
  }
  process.stdout.write('Set up tablehooks: the first restaurant and the person who manages it.\n');
  const facility =
    o.facility ??
    (await ask('Facility id (a slug, e.g. the-fish)', (a) =>
      /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(a)
        ? undefined
        : 'lowercase letters, digits and dashes, please',
    ));
  const name = o.name ?? (await ask('Facility name', (a) => (a ? undefined : 'a name, please')));
  const email =
    o.email ??
    (await ask("Owner's email", (a) =>
      /^\S+@\S+\.\S+$/.test(a) ? undefined : 'an email address, please',
    ));
  const password = o.password ?? (await askPassword("Owner's password"));
  return { facility, name, email, password };
}
