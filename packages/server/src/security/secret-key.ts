import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, decodeKey } from '../config.js';

/**
 * The AES-256 key for webhook passwords. From TABLEHOOKS_SECRET_KEY when set; in embedded
 * mode it is generated once into the data folder (mode 0600) so `npm start` needs nothing.
 */
export function resolveSecretKey(config: Config, generate: () => Buffer): Buffer {
  if (config.secretKey) return decodeKey(config.secretKey)!;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key; restore it from backup`);
    return key;
  }
  const key = generate();
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
