// Frozen in time: rotating a webhook's signing secret and its Basic-Auth credentials with an
// overlap, during which the previous ones still work; and which credentials an attempt sent.
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, _profile: MigrationDialect): Promise<void> {
  // One column per statement: SQLite adds one at a time. All encrypted like the current ones.
  const columns: [string, 'text' | 'bigint'][] = [
    ['previous_signing_secret_enc', 'text'],
    ['previous_signing_secret_until', 'bigint'],
    ['previous_username', 'text'],
    ['previous_password_enc', 'text'],
    ['previous_credentials_until', 'bigint'],
    // When they were rotated: which ones the receiver accepts is read from attempts since.
    ['credentials_rotated_at', 'bigint'],
  ];
  for (const [name, type] of columns) {
    await db.schema.alterTable('webhooks').addColumn(name, type).execute();
  }
  // 'new' or 'old' while credentials rotate: which ones this attempt sent; null otherwise.
  await db.schema.alterTable('attempts').addColumn('credentials', 'text').execute();
}
