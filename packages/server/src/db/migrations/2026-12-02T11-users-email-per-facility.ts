// Frozen in time: a user's email is unique within their facility, no longer across all of
// them. The global constraint answered 409 to a facility creating a user whose email another
// facility already had: it told one restaurant about another's staff.
//
// The dialect is named here rather than read from a profile flag: a migration must do today
// what it did when it first ran, whatever the profile grows later.
import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './frozen.js';

export async function up(db: Kysely<any>, profile: MigrationDialect): Promise<void> {
  if (profile.name === 'postgres') {
    // The name PostgreSQL gave the inline UNIQUE of 2026-11-27T11-domain.
    await sql`alter table users drop constraint if exists users_email_key`.execute(db);
  } else {
    await rebuildSqliteUsers(db);
  }
  await db.schema
    .createIndex('users_facility_email')
    .unique()
    .on('users')
    .columns(['facility_id', 'email'])
    .execute();
  // Log-in looks users up by email alone.
  await db.schema.createIndex('users_email').on('users').column('email').execute();
}

// SQLite can't drop an inline UNIQUE: the table is rebuilt (sqlite.org/lang_altertable.html).
// One transaction (Kysely runs SQLite migrations without one), in which foreign_keys can't be
// turned off: dropping `users` cascades to `sessions`, so those are kept aside and put back.
async function rebuildSqliteUsers(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(rebuild);
}

async function rebuild(db: Kysely<any>): Promise<void> {
  await sql`create table users_new (
    id text primary key,
    facility_id text not null references facilities (id) on delete cascade,
    email text not null,
    password_hash text not null,
    role text not null,
    created_at bigint not null
  )`.execute(db);
  await sql`insert into users_new (id, facility_id, email, password_hash, role, created_at)
    select id, facility_id, email, password_hash, role, created_at from users`.execute(db);
  await sql`create table sessions_kept as select * from sessions`.execute(db);
  await sql`drop table users`.execute(db);
  await sql`alter table users_new rename to users`.execute(db);
  await sql`insert into sessions select * from sessions_kept`.execute(db);
  await sql`drop table sessions_kept`.execute(db);
}
