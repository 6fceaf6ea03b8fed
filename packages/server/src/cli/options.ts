// Parsers for option values: a bad value stops the command with exit 2 and a message that
// names the option, before anything is opened.
import { InvalidArgumentError } from 'commander';
import { parseInstant } from '../http/instant.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO 8601 instant ("2026-11-27T10:00:00Z") or a time ago ("90m", "24h", "7d"). */
export function parseTime(now: () => number) {
  return (raw: string): number => {
    const ago = /^(\d+)([smhd])$/.exec(raw.trim());
    if (ago) return now() - Number(ago[1]) * UNITS[ago[2]!]!;
    const iso =
      /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
        raw.trim(),
      );
    // Date.parse rolls 30 February over into March and takes no leap second: the parts must
    // name a real moment first, by the API's own rule (a missing time or offset filled in).
    const real =
      iso &&
      parseInstant(
        `${iso[1]}T${iso[2] ?? '00:00'}${iso[3] ?? ':00'}${(iso[4] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`,
      ) !== undefined;
    const ms = real ? Date.parse(raw.trim()) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new InvalidArgumentError(
        'expected an ISO 8601 time such as 2026-11-27T10:00:00Z, or a time ago such as 30m, 24h, 7d',
      );
    }
    return ms;
  };
}

export function parseInteger(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim()))
      throw new InvalidArgumentError(`expected a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new InvalidArgumentError(`expected ${min} to ${max}, got ${n}`);
    return n;
  };
}

/** on/off (yes/no, true/false) for a setting's switch. */
export function parseSwitch(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['on', 'yes', 'true'].includes(v)) return true;
  if (['off', 'no', 'false'].includes(v)) return false;
  throw new InvalidArgumentError(`expected on or off, got "${raw}"`);
}

export function parseList<T extends string>(allowed: readonly T[]) {
  return (raw: string): T[] => {
    const values = raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const wrong = values.find((v) => !(allowed as readonly string[]).includes(v));
    if (wrong !== undefined || values.length === 0) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}`);
    }
    return [...new Set(values)] as T[];
  };
}
