// Frozen in time: facilities, credentials, bookings, product orders and the event outbox.
import type { Kysely } from 'kysely';
import { autoId, type MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, profile: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('facilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    // The first characters of the key, shown in lists so people can tell keys apart.
    .addColumn('prefix', 'text', (c) => c.notNull())
    // SHA-256 of the whole key: keys are 256-bit random, so a slow hash adds nothing.
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_facility').on('api_keys').column('facility_id').execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await autoId(profile, db.schema.createTable('bookings'))
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('num', 'integer', (c) => c.notNull())
    // The start as the client gave it (ISO 8601 with offset), and as epoch ms for ranges.
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('duration', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('comment', 'text')
    .addColumn('source', 'text')
    .addColumn('table_label', 'text')
    .addColumn('area', 'text')
    .addColumn('ref_num', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bookings_facility_start')
    .on('bookings')
    .columns(['facility_id', 'start_at'])
    .execute();

  await autoId(profile, db.schema.createTable('productorders'))
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    // JSON text in both dialects: [{product_id, name, quantity, unit_price}].
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_time', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    // JSON text: {street, city, postal_code, ...}; only for type=delivery.
    .addColumn('address', 'text')
    .addColumn('comment', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('productorders_facility')
    .on('productorders')
    .columns(['facility_id', 'id'])
    .execute();

  // The transactional outbox: written in the same transaction as the change it reports.
  // It names the resource and the event only: never personal data.
  await autoId(profile, db.schema.createTable('events'))
    .addColumn('facility_id', 'text', (c) =>
      c.notNull().references('facilities.id').onDelete('cascade'),
    )
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_facility')
    .on('events')
    .columns(['facility_id', 'id'])
    .execute();
  await db.schema.createIndex('events_created').on('events').column('created_at').execute();
}
