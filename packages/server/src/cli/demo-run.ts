// `tablehooks demo`, run: serve with a demo facility full of bookings and orders and a webhook
// to a receiver built into this same process (POST /echo). The echo receiver lives only here, and
// its loopback address is allowed as a target for this run only: `serve` never has either.
// On stop the demo webhook is disabled, since nothing answers at its URL any more.
import { isIP } from 'node:net';
import { systemRandom } from '../clock.js';
import type { Config } from '../config.js';
import { credentialsService } from '../credentials/credentials.service.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { EVENTS } from '../events/event-names.js';
import { facilitiesService } from '../facilities/facilities.service.js';
import { webhooksService } from '../webhooks/webhooks.service.js';
import { browserUrl } from './context.js';
import { fillDemo } from './demo-data.js';
import { type EchoEntry, echoReceiver } from './echo-receiver.js';
import { serve } from './server.js';

const DESCRIPTION = 'Demo: the built-in echo receiver (only while `tablehooks demo` runs)';

export interface DemoOptions {
  facility: string;
  bookings: number;
  orders: number;
}

export async function runDemo(config: Config, options: DemoOptions): Promise<void> {
  // The echo receiver is this very process: reachable on loopback unless a specific
  // address is configured.
  const host =
    isIP(config.host) && !['0.0.0.0', '::'].includes(config.host) ? config.host : '127.0.0.1';
  const cidr = `${host}/${isIP(host) === 6 ? 128 : 32}`;
  const password = systemRandom.bytes(12).toString('base64url');
  let webhookId: string | undefined;
  await serve(
    { ...config, role: 'all', allowedTargets: [...config.allowedTargets, cidr] },
    {
      quiet: true,
      extend: (app) =>
        echoReceiver(app, { username: 'demo', password, keep: 100, onTrigger: printTrigger }),
      listening: async ({ url, deps }) => {
        const port = new URL(url).port;
        const echoUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}/echo`;
        webhookId = await prepare(
          deps,
          options,
          echoUrl,
          password,
          browserUrl(config, Number(port)),
        );
        await fillDemo(deps, options.facility, {
          bookings: options.bookings,
          orders: options.orders,
        });
      },
      stopping: async ({ deps }) => {
        if (!webhookId) return;
        await webhooksService(deps).update(options.facility, webhookId, { enabled: false });
      },
    },
  );
}

function printTrigger(e: EchoEntry): void {
  const body = e.body as { id?: unknown; facility_id?: unknown; action?: unknown } | undefined;
  process.stdout.write(
    `echo <- ${String(body?.action)} ${String(body?.id)} (${String(body?.facility_id)}) ${e.webhook_id ?? ''}${e.signed ? ' signed' : ''}\n`,
  );
}

async function prepare(
  deps: AppDeps,
  o: DemoOptions,
  echoUrl: string,
  hookPassword: string,
  uiUrl: string,
): Promise<string> {
  const facilities = facilitiesService(deps);
  const existing = await facilities.get(o.facility).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return undefined;
    throw err;
  });
  if (!existing) await facilities.create({ id: o.facility, name: 'Demo Bistro', plan: 'premium' });
  else if (existing.plan !== 'premium') await facilities.update(o.facility, { plan: 'premium' });

  const credentials = credentialsService(deps);
  const email = `owner@${o.facility}.example`;
  const ownerPassword = systemRandom.bytes(9).toString('base64url');
  const login = await credentials
    .createUser(o.facility, { email, password: ownerPassword, role: 'owner' })
    .then(() => `${email} / ${ownerPassword}`)
    .catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'conflict')
        return `${email} (password from the first demo run)`;
      throw err;
    });
  const key = await credentials.createApiKey(o.facility, {
    name: 'demo',
    scopes: ['read', 'write', 'webhooks'],
  });

  const webhooks = webhooksService(deps);
  const current = (await webhooks.list(o.facility, 100, 0)).objects.find(
    (w) => w.description === DESCRIPTION,
  );
  const hook = { url: echoUrl, username: 'demo', password: hookPassword, events: [...EVENTS] };
  const webhook = current
    ? await webhooks.update(o.facility, current.id, { ...hook, enabled: true })
    : await webhooks.create(o.facility, { ...hook, description: DESCRIPTION });

  process.stdout.write(
    [
      '',
      `Demo facility ${o.facility} (premium) is ready.`,
      `  UI        ${uiUrl}  log in as ${login}`,
      `  API key   ${key.key}`,
      `            curl -H 'Api-Key: ${key.key}' ${uiUrl}v1/facility/${o.facility}/bookings`,
      `  webhook   ${webhook.id} -> ${echoUrl} (the built-in echo receiver; GET it to see what arrived)`,
      `Creating ${o.bookings} bookings and ${o.orders} orders; each change sends a trigger. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
  return webhook.id;
}
