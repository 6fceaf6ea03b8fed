// Frozen in time: a function that raises an error, for a single statement that must undo
// itself when it finds it was not the case it was written for (PostgreSQL has no RAISE
// outside PL/pgSQL). The one-statement creation (events/create-in-one-statement.ts) calls
// it when the new resource turns out to be in line already; the whole statement rolls back
// and the caller takes the general way. SQLite does not need it.
import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> {
  if (dialect.name !== 'postgres') return;
  await sql`
    create or replace function tablehooks_abort(reason text) returns integer
    language plpgsql volatile as $$
    begin
      raise exception using errcode = 'TH001', message = reason;
    end
    $$`.execute(db);
}
