// Frozen in time: REST-hook subscriptions (a kind of webhook) and Idempotency-Key answers.
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  // 'manual' (added by a person, in the UI or with POST …/webhooks) or 'subscription' (added
  // by an automation platform with POST …/subscriptions). Either way the same row, so the same
  // SSRF checks, plan gating, limit, delivery log and retries apply.
  await db.schema
    .alterTable('webhooks')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('manual'))
    .execute();

  // The first answer to a create that carried an Idempotency-Key. The row is inserted first in
  // the transaction that makes the change and gets its answer before that transaction
  // commits, so a crash leaves no key behind, and a concurrent request with the same key waits
  // on the primary key (PostgreSQL) or runs after it (SQLite) and finds the answer.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    // Who sent it: "key:<api key id>", "user:<user id>" or "operator".
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    // SHA-256 of the method, the route and the canonical JSON body.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // Null only inside the first request's own transaction.
    .addColumn('status_code', 'integer')
    .addColumn('response', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['facility_id', 'principal', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_expires')
    .on('idempotency_keys')
    .column('expires_at')
    .execute();
}
