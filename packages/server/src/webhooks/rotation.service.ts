// Rotating a webhook's signing secret and its Basic-Auth credentials with an overlap. During
// the overlap both signatures go out, and the old credentials are tried again at once when
// the receiver refuses the new ones; afterwards (or when ended by hand) only the new ones.

import { iso } from '../core/iso.js';
import { newSigningSecret } from '../dispatcher/signature.js';
import { notFound } from '../errors.js';
import { findWebhook, updateWebhook, type WebhookRow } from './webhooks.repository.js';
import { type WebhooksDeps, webhooksService } from './webhooks.service.js';

const HOUR_MS = 3_600_000;

/** What the service needs, and all it may touch. */
export type RotationDeps = WebhooksDeps;

export function rotationService(deps: RotationDeps) {
  const { store, clock, random, secretBox } = deps;
  const db = store.db;
  const webhooks = webhooksService(deps);

  async function row(facilityId: string, id: string): Promise<WebhookRow> {
    const found = await findWebhook(db, facilityId, id);
    if (!found) throw notFound('webhook');
    return found;
  }

  async function save(id: string, changes: Partial<WebhookRow>): Promise<void> {
    await updateWebhook(db, id, { ...changes, updated_at: clock.now() });
  }

  return {
    /** A new signing secret; the old one is still signed with for `hours`. */
    async rotateSecret(facilityId: string, id: string, hours = 24) {
      const before = await row(facilityId, id);
      const secret = newSigningSecret(random.bytes(24));
      const until = hours > 0 && before.signing_secret_enc ? clock.now() + hours * HOUR_MS : null;
      await save(id, {
        signing_secret_enc: secretBox.seal(secret, id),
        previous_signing_secret_enc: until === null ? null : before.signing_secret_enc,
        previous_signing_secret_until: until,
      });
      return { signing_secret: secret, previous_expires_at: until === null ? null : iso(until) };
    },

    /** Stops signing with the rotated-out secret now. */
    async endSecretOverlap(facilityId: string, id: string) {
      await row(facilityId, id);
      await save(id, { previous_signing_secret_enc: null, previous_signing_secret_until: null });
      return webhooks.get(facilityId, id);
    },

    /**
     * New Basic-Auth credentials, sent from now on; the old ones are tried again at once when
     * the receiver refuses the new ones (401/403), for `hours`.
     */
    async rotateCredentials(
      facilityId: string,
      id: string,
      input: {
        username?: string | undefined;
        password: string;
        overlap_hours?: number | undefined;
      },
    ) {
      const before = await row(facilityId, id);
      const hours = input.overlap_hours ?? 24;
      const until = hours > 0 ? clock.now() + hours * HOUR_MS : null;
      await save(id, {
        username: input.username ?? before.username,
        password_enc: secretBox.seal(input.password, id),
        previous_username: until === null ? null : before.username,
        // Sealed to this webhook already: it moves as it is.
        previous_password_enc: until === null ? null : before.password_enc,
        previous_credentials_until: until,
        credentials_rotated_at: clock.now(),
      });
      return webhooks.get(facilityId, id);
    },

    /** Drops the old credentials now: only the new ones are sent. */
    async endCredentialsOverlap(facilityId: string, id: string) {
      await row(facilityId, id);
      await save(id, {
        previous_username: null,
        previous_password_enc: null,
        previous_credentials_until: null,
      });
      return webhooks.get(facilityId, id);
    },
  };
}
