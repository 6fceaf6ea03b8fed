// Frozen in time: never import application code here, only ./frozen.js.
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  // Instance-wide values such as the operator key's hash.
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
