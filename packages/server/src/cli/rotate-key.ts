// `tablehooks rotate-key`: re-encrypt every stored webhook password and signing secret under
// a new TABLEHOOKS_SECRET_KEY. Checks first that everything opens, then rotates in batches;
// in embedded mode it then replaces the key file, elsewhere it says what to deploy.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemRandom } from '../clock.js';
import { type Config, decodeKey } from '../config.js';
import { keyFilePath, rotateSecrets, unreadableSecrets } from '../security/key-rotation.js';
import { SecretBox } from '../security/secret-box.js';
import type { CliContext } from './context.js';
import { CliError, EXIT, usageError } from './errors.js';
import { runtime } from './lazy.js';
import { parseInteger } from './options.js';
import { keyValues } from './output.js';

interface RotateOptions {
  newKey?: string;
  newKeyFile?: string;
  generate?: boolean;
  batchSize: number;
  force?: boolean;
}

export function rotateKeyCommand(program: Command): void {
  program
    .command('rotate-key')
    .description('re-encrypt stored webhook passwords and signing secrets under a new secret key')
    .option('--new-key <key>', '32 bytes as base64 or 64 hex characters (openssl rand -base64 32)')
    .option(
      '--new-key-file <path>',
      'read the new key from this file (keeps it out of shell history)',
    )
    .option('--generate', 'generate the new key (printed when it must be deployed by hand)')
    .option('--batch-size <n>', 'webhooks per transaction', parseInteger(1, 10_000), 100)
    .option('--force', 'rotate even if some secrets open with neither key (they stay as they are)')
    .addHelpText(
      'after',
      `
The old key is TABLEHOOKS_SECRET_KEY, or the data folder's secret.key in embedded mode.
Embedded (SQLite, no TABLEHOOKS_SECRET_KEY): stop tablehooks, rotate, start it again; the
key file is replaced. With TABLEHOOKS_SECRET_KEY (PostgreSQL): rotate, set the new value on
every process and restart them, then run the same command once more (with the old key still
in TABLEHOOKS_SECRET_KEY) to catch rows written during the rollout. Secrets already under
the new key are left alone, so running it twice is safe. See docs/operations.md.`,
    )
    .action(async (options: RotateOptions, command: Command) => {
      const newKey = newKeyFrom(options);
      await (await runtime()).withContext(command, (ctx) => rotate(ctx, newKey, options));
    });
}

function newKeyFrom(o: RotateOptions): { key: Buffer; generated: boolean } {
  const given = [o.newKey, o.newKeyFile, o.generate].filter((v) => v !== undefined).length;
  if (given !== 1) throw usageError('give exactly one of --new-key, --new-key-file, --generate');
  if (o.generate) return { key: systemRandom.bytes(32), generated: true };
  const raw = o.newKeyFile !== undefined ? readKeyFile(o.newKeyFile) : o.newKey!;
  const key = decodeKey(raw);
  if (!key) {
    const flag = o.newKeyFile !== undefined ? '--new-key-file' : '--new-key';
    throw usageError(
      `${flag}: expected 32 random bytes as base64 or 64 hex characters (openssl rand -base64 32)`,
    );
  }
  return { key, generated: false };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(`--new-key-file: cannot read ${path} (${(err as Error).message})`);
  }
}

/** The key in use now: from the environment, else the data folder's file (never generated here). */
function currentKey(config: Config): { key: Buffer; file: string | undefined } {
  if (config.secretKey) return { key: decodeKey(config.secretKey)!, file: undefined };
  const file = keyFilePath(config.dataDir);
  const key = existsSync(file) ? decodeKey(readFileSync(file, 'utf8')) : undefined;
  if (!key)
    throw new CliError(
      `no key to rotate from: TABLEHOOKS_SECRET_KEY is unset and ${file} is missing or invalid`,
      EXIT.usage,
    );
  return { key, file };
}

async function rotate(
  ctx: CliContext,
  next: { key: Buffer; generated: boolean },
  o: RotateOptions,
): Promise<void> {
  const { config, store, out } = ctx;
  const old = currentKey(config);
  if (old.key.equals(next.key)) throw usageError('the new key is the key in use now');
  const oldBox = new SecretBox(old.key, systemRandom.bytes);
  const newBox = new SecretBox(next.key, systemRandom.bytes);

  const unreadable = await unreadableSecrets(store.db, oldBox, newBox);
  if (unreadable.length > 0 && !o.force) {
    throw new CliError(
      `${unreadable.length} webhook(s) have secrets that open with neither key (${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}); nothing was changed. Is the old key right? --force rotates the others.`,
      EXIT.refused,
    );
  }
  const progress = out.progress('rotate-key');
  const report = await rotateSecrets(store.db, oldBox, newBox, {
    batchSize: o.batchSize,
    onProgress: (p) => progress.update(p.done, p.total),
  });
  progress.end();

  // Embedded mode: the new key replaces the file in one rename, so a crash leaves one key.
  if (old.file) {
    const temp = `${old.file}.new`;
    writeFileSync(temp, `${next.key.toString('base64')}\n`, { mode: 0o600 });
    renameSync(temp, old.file);
  }
  const printKey = next.generated && !old.file;
  const result = {
    webhooks: report.total,
    rotated: report.rotated,
    already_new: report.alreadyNew,
    unreadable: report.unreadable,
    key_file: old.file ?? null,
    ...(printKey ? { new_key: next.key.toString('base64') } : {}),
  };
  out.result(result, () => {
    const next_steps = old.file
      ? [`The new key is in ${old.file}. Restart tablehooks so it loads it.`]
      : [
          'Now set TABLEHOOKS_SECRET_KEY to the new key on every tablehooks process and restart them.',
          'Then run this command once more, with the old key still in TABLEHOOKS_SECRET_KEY, to re-encrypt',
          'anything written by processes that still had the old key during the rollout.',
        ];
    return (
      keyValues([
        ['webhooks', report.total],
        ['re-encrypted', report.rotated],
        ['already new', report.alreadyNew],
        ['unreadable', report.unreadable.length ? report.unreadable : 0],
        ...(printKey ? ([['new key', next.key.toString('base64')]] as [string, unknown][]) : []),
      ]) +
      `${next_steps.join('\n')}\nKeep the old key only as long as you keep backups taken before now.\n`
    );
  });
  if (report.unreadable.length > 0) process.exitCode = EXIT.refused;
}
