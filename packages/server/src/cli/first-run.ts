// On an empty store, `serve` tells a newcomer the one next step, so nobody has to read the
// API docs to reach the Webhooks page.
import type { Config } from '../config.js';
import type { Store } from '../db/dialect.js';
import { browserUrl } from './context.js';
import { hasFacilities } from './sql/lookup.js';

export async function firstRunLines(store: Store, config: Config, port: number): Promise<string[]> {
  if (await hasFacilities(store.db)) return [];
  const url = browserUrl(config, port);
  return [
    '',
    'First run: there is no facility yet. In another terminal, create the first one and its owner:',
    '  npx tablehooks setup',
    `then log in at ${url} and open Settings > Integration > Developers > Webhooks.`,
    'To look around with demo bookings, orders and a webhook instead, stop this server and run:',
    '  npx tablehooks demo',
    'Webhooks to this machine or a private network are blocked unless allowed, e.g.',
    '  TABLEHOOKS_ALLOWED_TARGETS=127.0.0.1/32 npm start',
  ];
}
