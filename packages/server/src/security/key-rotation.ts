// Re-encrypts every stored webhook secret (passwords and signing secrets, current and rotated
// out) from the old key to a new one, in batches, one transaction per batch. Safe to run again: a secret that
// already opens with the new key is left alone, so a second run after a rolling restart
// picks up rows that processes still holding the old key wrote meanwhile.
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SecretBox } from './secret-box.js';

/** The key file that resolveSecretKey (secret-key.ts) reads in embedded mode. */
export const keyFilePath = (dataDir: string): string => join(dataDir, 'secret.key');

export interface RotationProgress {
  done: number;
  total: number;
}

export interface RotationReport {
  total: number;
  /** Re-encrypted under the new key by this run. */
  rotated: number;
  /** Already under the new key (an earlier, interrupted or repeated run). */
  alreadyNew: number;
  /** Opens with neither key: left as it is. */
  unreadable: string[];
}

/** Every sealed column of a webhook: current and rotated-out credentials and secrets. */
const SEALED = [
  'password_enc',
  'signing_secret_enc',
  'previous_password_enc',
  'previous_signing_secret_enc',
] as const;
type Sealed = (typeof SEALED)[number];

type SecretRow = { id: string } & { [K in Sealed]: string | null };

type Verdict = { kind: 'old'; plaintext: string } | { kind: 'new' } | { kind: 'unreadable' };

function judge(sealed: string, boundTo: string, oldBox: SecretBox, newBox: SecretBox): Verdict {
  try {
    return { kind: 'old', plaintext: oldBox.open(sealed, boundTo) };
  } catch {
    try {
      newBox.open(sealed, boundTo);
      return { kind: 'new' };
    } catch {
      return { kind: 'unreadable' };
    }
  }
}

async function countWebhooks(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function batchAfter(db: Kysely<Database>, after: string, size: number): Promise<SecretRow[]> {
  return db
    .selectFrom('webhooks')
    .select(['id', ...SEALED])
    .where('id', '>', after)
    .orderBy('id')
    .limit(size)
    .execute();
}

/** Read-only: the webhooks whose secrets open with neither key. Run before rotating. */
export async function unreadableSecrets(
  db: Kysely<Database>,
  oldBox: SecretBox,
  newBox: SecretBox,
  batchSize = 200,
): Promise<string[]> {
  const bad: string[] = [];
  let after = '';
  for (;;) {
    const rows = await batchAfter(db, after, batchSize);
    for (const r of rows) {
      const secrets = SEALED.map((c) => r[c]).filter((s): s is string => !!s);
      if (secrets.some((s) => judge(s, r.id, oldBox, newBox).kind === 'unreadable')) bad.push(r.id);
    }
    if (rows.length < batchSize) return bad;
    after = rows.at(-1)!.id;
  }
}

export async function rotateSecrets(
  db: Kysely<Database>,
  oldBox: SecretBox,
  newBox: SecretBox,
  options: { batchSize?: number; onProgress?: (p: RotationProgress) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 100;
  const report: RotationReport = {
    total: await countWebhooks(db),
    rotated: 0,
    alreadyNew: 0,
    unreadable: [],
  };
  let after = '';
  let done = 0;
  for (;;) {
    const rows = await db.transaction().execute(async (trx) => {
      const batch = await batchAfter(trx, after, batchSize);
      for (const row of batch) await rotateRow(trx, row, oldBox, newBox, report);
      return batch;
    });
    done += rows.length;
    options.onProgress?.({ done, total: Math.max(report.total, done) });
    if (rows.length < batchSize) return report;
    after = rows.at(-1)!.id;
  }
}

/** One webhook; a row changed by the API meanwhile is read again (compare-and-set). */
async function rotateRow(
  db: Kysely<Database>,
  row: SecretRow,
  oldBox: SecretBox,
  newBox: SecretBox,
  report: RotationReport,
): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    const verdicts = SEALED.map((c) => {
      const sealed = row[c];
      return [c, sealed, sealed ? judge(sealed, row.id, oldBox, newBox) : undefined] as const;
    });
    if (verdicts.some(([, , v]) => v?.kind === 'unreadable')) {
      report.unreadable.push(row.id);
      return;
    }
    if (verdicts.every(([, , v]) => v === undefined || v.kind === 'new')) {
      report.alreadyNew++;
      return;
    }
    const changes: Partial<Record<Sealed, string | null>> = {};
    for (const [c, sealed, v] of verdicts) {
      changes[c] = v?.kind === 'old' ? newBox.seal(v.plaintext, row.id) : sealed;
    }
    // Compare-and-set on every sealed column: an API change meanwhile is read again.
    let update = db
      .updateTable('webhooks')
      .set(changes as Record<Sealed, string>)
      .where('id', '=', row.id);
    for (const [c, sealed] of verdicts) {
      update = update.where((eb) => (sealed === null ? eb(c, 'is', null) : eb(c, '=', sealed)));
    }
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      report.rotated++;
      return;
    }
    const fresh = await db
      .selectFrom('webhooks')
      .select(['id', ...SEALED])
      .where('id', '=', row.id)
      .executeTakeFirst();
    if (!fresh) return; // deleted meanwhile: nothing left to rotate
    row = fresh;
  }
  report.unreadable.push(row.id);
}
