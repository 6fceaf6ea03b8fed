// Frozen in time: login sessions of the settings UI.
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  await db.schema
    .createTable('sessions')
    // The SHA-256 of the cookie's token: a copy of this table logs nobody in.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('facility_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    // Sliding: moved forward on use, so a session ends after a quiet period, not at a fixed hour.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
}
