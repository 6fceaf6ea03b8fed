import { iso, isoOrNull } from '../core/iso.js';
import type { WebhookKind } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { newSigningSecret } from '../dispatcher/signature.js';
import { AppError, notFound } from '../errors.js';
import { findFacility } from '../facilities/facilities.repository.js';
import { newId } from '../ids.js';
import { checkTargetHost } from '../security/ssrf-connector.js';
import { healthOf } from './health.js';
import { healthFacts } from './health.repository.js';
import {
  acceptedCredentials,
  countWebhooks,
  deleteWebhook,
  findWebhook,
  insertWebhook,
  lastDelivery,
  listWebhooks,
  lockFacilityWebhooks,
  setWebhookEvents,
  updateWebhook,
  type WebhookRow,
} from './webhooks.repository.js';
import type { CreateWebhookInput, PatchWebhookInput, WebhookOut } from './webhooks.schemas.js';

/**
 * Who adds a webhook: a person (POST …/webhooks, the UI) or an automation platform
 * (POST …/subscriptions), whose URL arrives as `target_url`. A subscription may come without
 * credentials (username ''): such URLs carry their own secret, and no Authorization is sent.
 */
export interface WebhookOrigin {
  kind: WebhookKind;
  urlField: string;
}
const BY_HAND: WebhookOrigin = { kind: 'manual', urlField: 'url' };

const PREMIUM_ONLY =
  'Webhooks need the premium plan. Upgrade this facility to add or enable webhooks.';

/** What the service needs, and all it may touch. */
export type WebhooksDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'random' | 'secretBox' | 'config' | 'queue' | 'lookup'
>;

export function webhooksService(deps: WebhooksDeps) {
  const { store, clock, random, secretBox, config } = deps;
  const db = store.db;
  const policy = {
    allowedCidrs: config.allowedTargets,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  };

  async function facility(facilityId: string) {
    const f = await findFacility(db, facilityId);
    if (!f) throw notFound('facility');
    return f;
  }

  async function checkUrl(url: string, field = 'url'): Promise<string> {
    const result = await checkTargetHost(url, policy);
    if (!result.ok) throw new AppError('validation_failed', result.message, field);
    return result.url.toString();
  }

  async function out(row: WebhookRow, plan: string): Promise<WebhookOut> {
    const [last, facts] = await Promise.all([lastDelivery(db, row.id), healthFacts(db, row)]);
    const now = clock.now();
    const secretUntil = row.previous_signing_secret_until;
    const credentialsUntil = row.previous_credentials_until;
    const rotatingCredentials =
      row.previous_username !== null && credentialsUntil !== null && credentialsUntil > now;
    return {
      id: row.id,
      facility_id: row.facility_id,
      url: row.url,
      username: row.username,
      kind: row.kind,
      events: row.events.split(','),
      enabled: row.enabled === 1,
      state: row.enabled !== 1 ? 'disabled' : plan === 'premium' ? 'enabled' : 'paused',
      disabled_reason: row.disabled_reason,
      disabled_at: isoOrNull(row.disabled_at),
      failing_since: isoOrNull(row.failing_since),
      description: row.description,
      ordering: row.ordering,
      coalesce_updates: row.coalesce_updates === 1,
      supersede_on_delete: row.supersede_on_delete === 1,
      max_age_hours: row.max_age_hours,
      signing_secret_rotation:
        row.previous_signing_secret_enc && secretUntil !== null && secretUntil > now
          ? { previous_expires_at: iso(secretUntil) }
          : null,
      credentials_rotation: rotatingCredentials
        ? {
            previous_username: row.previous_username!,
            previous_expires_at: iso(credentialsUntil),
            receiver_accepts: await acceptedCredentials(
              db,
              row.id,
              row.credentials_rotated_at ?? 0,
            ),
          }
        : null,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
      last_delivery: last
        ? {
            id: last.id,
            event: last.event,
            status: last.status,
            status_code: last.last_status_code,
            at: iso(last.last_attempt_at ?? last.created_at),
          }
        : null,
      health: healthOf(facts, now, config.deliveryTimeoutMs),
    };
  }

  return {
    async list(facilityId: string, limit: number, offset: number) {
      const f = await facility(facilityId);
      const [rows, total] = await Promise.all([
        listWebhooks(db, facilityId, limit, offset),
        countWebhooks(db, facilityId),
      ]);
      const objects = await Promise.all(rows.map((r) => out(r, f.plan)));
      return { objects, meta: { limit, offset, total_count: total } };
    },

    async get(facilityId: string, id: string): Promise<WebhookOut> {
      const f = await facility(facilityId);
      const row = await findWebhook(db, facilityId, id);
      if (!row) throw notFound('webhook');
      return out(row, f.plan);
    },

    async create(facilityId: string, input: CreateWebhookInput, origin = BY_HAND) {
      const f = await facility(facilityId);
      if (f.plan !== 'premium') throw new AppError('premium_required', PREMIUM_ONLY);
      const url = await checkUrl(input.url, origin.urlField);
      const id = newId(random, 'wh');
      const now = clock.now();
      const signingSecret = newSigningSecret(random.bytes(24));
      const row: WebhookRow = {
        id,
        facility_id: facilityId,
        url,
        username: input.username,
        password_enc: secretBox.seal(input.password, id),
        signing_secret_enc: secretBox.seal(signingSecret, id),
        events: input.events.join(','),
        enabled: input.enabled === false ? 0 : 1,
        disabled_reason: input.enabled === false ? 'Disabled by a user.' : null,
        disabled_at: input.enabled === false ? now : null,
        description: input.description ?? '',
        failing_since: null,
        kind: origin.kind,
        created_at: now,
        updated_at: now,
        ordering: input.ordering ?? 'per_resource',
        coalesce_updates: input.coalesce_updates === false ? 0 : 1,
        supersede_on_delete: input.supersede_on_delete === false ? 0 : 1,
        max_age_hours: input.max_age_hours ?? null,
        previous_signing_secret_enc: null,
        previous_signing_secret_until: null,
        previous_username: null,
        previous_password_enc: null,
        previous_credentials_until: null,
        credentials_rotated_at: null,
      };
      await db.transaction().execute(async (trx) => {
        // Counted under the facility's lock: concurrent creates cannot all see room for one more.
        await lockFacilityWebhooks(trx, facilityId);
        if ((await countWebhooks(trx, facilityId)) >= config.maxWebhooksPerFacility) {
          throw new AppError(
            'conflict',
            `a facility can have at most ${config.maxWebhooksPerFacility} webhooks`,
          );
        }
        await insertWebhook(trx, row);
        await setWebhookEvents(trx, id, facilityId, input.events);
      });
      return { ...(await out(row, f.plan)), signing_secret: signingSecret };
    },

    async update(facilityId: string, id: string, input: PatchWebhookInput): Promise<WebhookOut> {
      const f = await facility(facilityId);
      const before = await findWebhook(db, facilityId, id);
      if (!before) throw notFound('webhook');
      if (f.plan !== 'premium' && input.enabled === true)
        throw new AppError('premium_required', PREMIUM_ONLY);
      const now = clock.now();
      const changes: Partial<WebhookRow> = { updated_at: now };
      if (input.url !== undefined) changes.url = await checkUrl(input.url);
      // The stored password goes wherever the URL points: a new target without the password
      // would hand it to whoever runs that target. Not only another scheme, host or port: the
      // usual receivers (hooks.zapier.com, hook.make.com, webhook.site) are many tenants on one
      // origin, told apart by the path or the query.
      if (changes.url && changes.url !== before.url && input.password === undefined) {
        throw new AppError(
          'validation_failed',
          'a new URL needs the password again (the stored one is only sent where it was sent before)',
          'password',
        );
      }
      if (input.username !== undefined) changes.username = input.username;
      // Left out, the password stays as it was.
      if (input.password !== undefined) changes.password_enc = secretBox.seal(input.password, id);
      if (input.events !== undefined) changes.events = input.events.join(',');
      if (input.description !== undefined) changes.description = input.description;
      if (input.ordering !== undefined) changes.ordering = input.ordering;
      if (input.coalesce_updates !== undefined)
        changes.coalesce_updates = input.coalesce_updates ? 1 : 0;
      if (input.supersede_on_delete !== undefined)
        changes.supersede_on_delete = input.supersede_on_delete ? 1 : 0;
      if (input.max_age_hours !== undefined) changes.max_age_hours = input.max_age_hours;
      // Turned off, order holds nothing back any more: what waited in line is due now.
      const unordering = input.ordering === 'none' && before.ordering !== 'none';
      const enabling = input.enabled === true && before.enabled !== 1;
      const disabling = input.enabled === false && before.enabled === 1;
      if (enabling)
        Object.assign(changes, {
          enabled: 1,
          disabled_reason: null,
          disabled_at: null,
          failing_since: null,
        });
      if (disabling)
        Object.assign(changes, {
          enabled: 0,
          disabled_reason: 'Disabled by a user.',
          disabled_at: now,
        });
      await deps.queue.transaction(async (tx) => {
        await updateWebhook(tx.trx, id, changes);
        if (input.events !== undefined)
          await setWebhookEvents(tx.trx, id, facilityId, input.events);
        if (disabling) await tx.pauseWebhook(id);
        if (enabling) await tx.resumeWebhook(id);
        if (unordering) await tx.unblockWebhook(id);
      });
      return this.get(facilityId, id);
    },

    async remove(facilityId: string, id: string): Promise<void> {
      if (!(await deleteWebhook(db, facilityId, id))) throw notFound('webhook');
    },

    async signingSecret(facilityId: string, id: string): Promise<string> {
      const row = await findWebhook(db, facilityId, id);
      if (!row?.signing_secret_enc) throw notFound('webhook');
      return secretBox.open(row.signing_secret_enc, id);
    },
  };
}
