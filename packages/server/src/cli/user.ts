// `tablehooks user create`: people who log into the settings UI.
import { type Command, Option } from 'commander';
import { usageError } from './errors.js';
import { runtime } from './lazy.js';
import { keyValues } from './output.js';
import { askPassword, canPrompt } from './prompt.js';

export function userCommands(program: Command): void {
  const user = program.command('user').description('create UI users');

  user
    .command('create')
    .description('create a user who logs into the settings UI')
    .requiredOption('--facility <id>', 'the facility the user belongs to')
    .requiredOption('--email <email>', 'the login')
    .option(
      '--password <password>',
      'at least 8 characters (asked for when left out on a terminal)',
    )
    .addOption(
      new Option('--role <role>', 'owner or staff').choices(['owner', 'staff']).default('staff'),
    )
    .action(
      async (
        options: { facility: string; email: string; password?: string; role: 'owner' | 'staff' },
        command: Command,
      ) => {
        let password = options.password;
        if (password === undefined) {
          if (!canPrompt())
            throw usageError(
              '--password is required (stdin is not a terminal, so it cannot be asked for)',
            );
          password = await askPassword('Password for the new user');
        }
        const rt = await runtime();
        const input = { email: options.email, password, role: options.role };
        rt.checkInput(rt.CreateUserBody, input, {
          email: '--email',
          password: '--password',
          role: '--role',
        });
        await rt.withContext(command, async ({ deps, config, out }) => {
          const created = await rt.credentialsService(deps).createUser(options.facility, input);
          const result = { ...created, facility_id: options.facility };
          out.result(result, () =>
            keyValues([
              ['user', created.email],
              ['role', created.role],
              ['facility', options.facility],
              ['log in at', rt.browserUrl(config)],
            ]),
          );
        });
      },
    );
}
