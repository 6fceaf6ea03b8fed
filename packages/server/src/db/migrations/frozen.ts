// What the migrations need to know of the dialect, copied here as it was when they were
// written: the live DialectProfile may change, an old migration must not. Never import
// application code into migrations/ (kysely's "frozen in time"): add a new helper here,
// and leave the old ones as they are.
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

/** All a migration may read of the store it runs on. */
export interface MigrationDialect {
  name: 'sqlite' | 'postgres';
}

/** Adds an auto-incrementing integer primary key column named `id` (as of 2026-11-27). */
export function autoId<T extends string>(
  dialect: MigrationDialect,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return dialect.name === 'postgres'
    ? table.addColumn('id', 'bigint', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().generatedByDefaultAsIdentity(),
      )
    : table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().autoIncrement(),
      );
}
