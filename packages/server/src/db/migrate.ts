import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { DialectProfile } from './dialect.js';
import * as foundation from './migrations/2026-11-27T10-foundation.js';
import * as domain from './migrations/2026-11-27T11-domain.js';
import * as webhooks from './migrations/2026-11-27T12-webhooks.js';
import * as sessions from './migrations/2026-11-27T13-sessions.js';
import * as guarantees from './migrations/2026-12-02T10-delivery-guarantees.js';
import * as rotation from './migrations/2026-12-02T11-rotation.js';
import * as usersPerFacility from './migrations/2026-12-02T11-users-email-per-facility.js';
import * as integratorKit from './migrations/2026-12-02T12-integrator-kit.js';
import * as sequenceRows from './migrations/2026-12-02T13-sequence-rows.js';
import * as abortFunction from './migrations/2026-12-03T10-abort-function.js';
import type { MigrationDialect } from './migrations/frozen.js';
import type { Database } from './schema.js';

// A method, so a step may take the profile itself (it holds the name too).
type Step = { up(db: Kysely<any>, dialect: MigrationDialect): Promise<void> };

// Listed here rather than read from disk so the same list works from src/ (tests) and dist/.
// Names sort by ISO date, the order they run in.
const steps: Record<string, Step> = {
  '2026-11-27T10-foundation': foundation,
  '2026-11-27T11-domain': domain,
  '2026-11-27T12-webhooks': webhooks,
  '2026-11-27T13-sessions': sessions,
  '2026-12-02T10-delivery-guarantees': guarantees,
  '2026-12-02T11-rotation': rotation,
  '2026-12-02T11-users-email-per-facility': usersPerFacility,
  '2026-12-02T12-integrator-kit': integratorKit,
  '2026-12-02T13-sequence-rows': sequenceRows,
  '2026-12-03T10-abort-function': abortFunction,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly profile: DialectProfile) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, step] of Object.entries(steps)) {
      out[name] = { up: (db) => step.up(db, this.profile) };
    }
    return out;
  }
}

export interface MigrationReport {
  applied: string[];
}

/** Reported before each pending migration runs (`tablehooks migrate` prints progress). */
export type MigrationStep = (step: { name: string; index: number; pending: number }) => void;

export async function migrateToLatest(
  db: Kysely<Database>,
  profile: DialectProfile,
  onStep?: MigrationStep,
): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticProvider(profile) });
  if (onStep) return migrateOneByOne(migrator, onStep);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new Error('database migration failed', { cause: error });
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

/** Up to and including `name`, for tests of a migration against data made before it. */
export async function migrateTo(
  db: Kysely<Database>,
  profile: DialectProfile,
  name: string,
): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(profile) });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error('database migration failed', { cause: error });
}

// One migration per lock, so each can be reported; another process migrating at the same
// time only means fewer steps here.
async function migrateOneByOne(
  migrator: Migrator,
  onStep: MigrationStep,
): Promise<MigrationReport> {
  const pending = (await migrator.getMigrations()).filter((m) => !m.executedAt);
  const applied: string[] = [];
  for (const [index, migration] of pending.entries()) {
    onStep({ name: migration.name, index, pending: pending.length });
    const { error, results } = await migrator.migrateUp();
    if (error) throw new Error('database migration failed', { cause: error });
    for (const r of results ?? []) if (r.status === 'Success') applied.push(r.migrationName);
    if (!results?.length) break;
  }
  return { applied };
}
