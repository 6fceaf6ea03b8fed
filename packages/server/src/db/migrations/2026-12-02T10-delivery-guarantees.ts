// Frozen in time: what thin triggers make possible — per-resource order, coalesced updates,
// deletes that supersede what waits, a sequence per resource, an age limit — and the
// dispatchers' membership, by which they share each webhook's concurrency.
import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  // One column per statement: SQLite adds one at a time.
  const webhookColumns: [string, 'text' | 'integer', unknown][] = [
    ['ordering', 'text', 'per_resource'],
    ['coalesce_updates', 'integer', 1],
    ['supersede_on_delete', 'integer', 1],
  ];
  for (const [name, type, value] of webhookColumns) {
    await db.schema
      .alterTable('webhooks')
      .addColumn(name, type, (c) => c.notNull().defaultTo(value))
      .execute();
  }
  await db.schema.alterTable('webhooks').addColumn('max_age_hours', 'integer').execute();

  // The per-(webhook, resource) number of the newest event a delivery stands for.
  await db.schema
    .alterTable('deliveries')
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // How many events it stands for (coalesced updates).
  await db.schema
    .alterTable('deliveries')
    .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // When the newest of them happened: the age limit counts from here.
  await db.schema
    .alterTable('deliveries')
    .addColumn('last_event_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .updateTable('deliveries')
    .set({ last_event_at: sql.ref('created_at') })
    .execute();
  // The delete that made it unnecessary.
  await db.schema.alterTable('deliveries').addColumn('superseded_by', 'text').execute();
  // A resource's deliveries of one webhook, in event order: the ordering predicates.
  await db.schema
    .createIndex('deliveries_resource')
    .on('deliveries')
    .columns(['webhook_id', 'resource_id', 'resource_type', 'sequence'])
    .execute();

  // The counter behind webhook-sequence. It outlives pruned deliveries, so a sequence never
  // starts again at 1 for a resource a receiver has seen; its row is also the lock that
  // serialises a resource's queue decisions across processes.
  await db.schema
    .createTable('resource_sequences')
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'bigint', (c) => c.notNull())
    .addColumn('last_sequence', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_sequences_pk', [
      'webhook_id',
      'resource_type',
      'resource_id',
    ])
    .execute();

  // Dispatchers alive now (a heartbeat), so that they can split each webhook's concurrency.
  await db.schema
    .createTable('dispatchers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
}
