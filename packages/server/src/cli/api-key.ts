// `tablehooks api-key create|list|revoke`: a facility's keys for integrations.
import type { Command } from 'commander';
import type { Scope } from '../auth/principal.js';
import { SCOPES } from '../auth/principal.js';
import { runtime } from './lazy.js';
import { parseList } from './options.js';
import { keyValues, table } from './output.js';

export function apiKeyCommands(program: Command): void {
  const apiKey = program
    .command('api-key')
    .description("create, list and revoke a facility's API keys");

  apiKey
    .command('create')
    .description('create an API key; it is printed once, only its hash is stored')
    .requiredOption('--facility <id>', 'the facility the key belongs to')
    .option('--name <name>', 'what it is for, e.g. "zapier"', 'cli')
    .option('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, parseList(SCOPES), [
      ...SCOPES,
    ] as Scope[])
    .action(
      async (options: { facility: string; name: string; scopes: Scope[] }, command: Command) => {
        const rt = await runtime();
        const input = { name: options.name, scopes: options.scopes };
        rt.checkInput(rt.CreateApiKeyBody, input, { name: '--name', scopes: '--scopes' });
        await rt.withContext(command, async ({ deps, out }) => {
          const created = await rt.credentialsService(deps).createApiKey(options.facility, input);
          out.result(
            created,
            () =>
              `${keyValues([
                ['id', created.id],
                ['facility', options.facility],
                ['scopes', created.scopes],
                ['key', created.key],
              ])}The key is shown this once: store it now.\n`,
          );
        });
      },
    );

  apiKey
    .command('list')
    .description("list a facility's API keys (never the keys themselves)")
    .requiredOption('--facility <id>', 'the facility')
    .action(async (options: { facility: string }, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, out }) => {
        const page = await rt.credentialsService(deps).listApiKeys(options.facility);
        out.result(page, () =>
          table(page.objects, [
            ['ID', (k) => k.id],
            ['PREFIX', (k) => k.prefix],
            ['SCOPES', (k) => k.scopes],
            ['LAST USED', (k) => k.last_used_at],
            ['REVOKED', (k) => k.revoked_at],
            ['NAME', (k) => k.name],
          ]),
        );
      });
    });

  apiKey
    .command('revoke')
    .description('revoke an API key; it stops working on the next request')
    .argument('<key-id>', 'the key id (key_…), as `api-key list` shows it')
    .action(async (keyId: string, _options, command: Command) => {
      const rt = await runtime();
      await rt.withContext(command, async ({ deps, store, out }) => {
        const ref = await rt.apiKeyRef(store.db, keyId);
        await rt.credentialsService(deps).revokeApiKey(ref.facility_id, keyId);
        out.result(
          { id: keyId, facility_id: ref.facility_id, revoked: true },
          () => `revoked ${keyId}\n`,
        );
      });
    });
}
