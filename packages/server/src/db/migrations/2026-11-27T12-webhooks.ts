// Frozen in time: webhooks, their deliveries, and every attempt.
import { type Kysely, sql } from 'kysely';
import { autoId, type MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, profile: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    // AES-256-GCM, bound to the webhook id; never stored or returned in plaintext.
    .addColumn('password_enc', 'text', (c) => c.notNull())
    .addColumn('signing_secret_enc', 'text')
    // Comma-separated, for display; webhook_events is what fan-out joins on.
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'bigint')
    .addColumn('description', 'text', (c) => c.notNull())
    // Set by the first failure after a success; auto-disable counts from here.
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_facility').on('webhooks').column('facility_id').execute();

  await db.schema
    .createTable('webhook_events')
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('facility_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_events_pk', ['webhook_id', 'event'])
    .execute();
  await db.schema
    .createIndex('webhook_events_fanout')
    .on('webhook_events')
    .columns(['facility_id', 'event'])
    .execute();

  // One row per (event, webhook). Its id is the `webhook-id` header: stable across retries.
  // Ordering, collapsing and superseding (DESIGN.md "Beyond the peers") are predicates on
  // (webhook_id, resource_type, resource_id), hence those columns here.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('facility_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'bigint')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    // pending | succeeded | failed | paused
    .addColumn('status', 'text', (c) => c.notNull())
    // Attempts in the current retry cycle (a resend starts a new cycle) and in all.
    .addColumn('tries', 'integer', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    // When due; while claimed, the end of the lease (a crashed claimer's work comes back).
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('leased_by', 'text')
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('succeeded_at', 'bigint')
    .execute();
  // The claim query walks this: only pending rows, in due order.
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('deliveries_webhook_created')
    .on('deliveries')
    .columns(['webhook_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_webhook_status')
    .on('deliveries')
    .columns(['webhook_id', 'status'])
    .execute();

  await autoId(profile, db.schema.createTable('attempts'))
    .addColumn('delivery_id', 'text', (c) =>
      c.notNull().references('deliveries.id').onDelete('cascade'),
    )
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    // timeout | connection_refused | connection_reset | dns | tls | redirect | http_status |
    // ssrf_blocked | invalid_response | ...
    .addColumn('error_class', 'text')
    .addColumn('error_message', 'text')
    .addColumn('success', 'integer', (c) => c.notNull())
    // scheduled | resend | test
    .addColumn('trigger', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attempts_delivery')
    .on('attempts')
    .columns(['delivery_id', 'id'])
    .execute();
  await db.schema
    .createIndex('attempts_webhook_started')
    .on('attempts')
    .columns(['webhook_id', 'started_at'])
    .execute();
}
