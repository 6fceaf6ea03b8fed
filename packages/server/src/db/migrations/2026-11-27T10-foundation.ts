// Frozen in time: never import application code here, only the dialect profile.
import type { Kysely } from 'kysely';
import type { DialectProfile } from '../dialect.js';

export async function up(db: Kysely<any>, _profile: DialectProfile): Promise<void> {
  // Instance-wide values such as the operator key's hash.
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
