// Independent encoders, written here and not shared with the server: every way the tests
// spell a secret that a receiver might echo back.
import { encode as htmlEncode } from 'entities';

export const pct = (s: string, lower = false) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => `%${b.toString(16).padStart(2, '0')}`)
    .map((e) => (lower ? e : e.toUpperCase()))
    .join('');
export const formEncode = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);
export const unicodeEscape = (s: string, upper = false) =>
  [...s]
    .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .map((e) => (upper ? e.toUpperCase().replace('\\U', '\\u') : e))
    .join('');
export const decimalRefs = (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('');
export const hexRefs = (s: string) =>
  [...s].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join('');
export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
export const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

export const SPELLINGS: [string, (s: string) => string][] = [
  ['as is', (s) => s],
  ['upper case', (s) => s.toUpperCase()],
  ['%-encoded (encodeURIComponent)', encodeURIComponent],
  ['%-encoded, every byte, upper hex', (s) => pct(s)],
  ['%-encoded, every byte, lower hex', (s) => pct(s, true)],
  ['form-encoded, + for space', formEncode],
  ['%-encoded twice', (s) => encodeURIComponent(encodeURIComponent(s))],
  ['in a JSON string', (s) => JSON.stringify(s).slice(1, -1)],
  ['JSON with escaped slashes', (s) => JSON.stringify(s).slice(1, -1).replaceAll('/', '\\/')],
  ['\\u-escaped', (s) => unicodeEscape(s)],
  ['\\u-escaped, upper hex', (s) => unicodeEscape(s, true)],
  ['HTML-escaped', (s) => htmlEncode(s)],
  ['HTML numeric references', decimalRefs],
  ['HTML hex references', hexRefs],
  ['HTML-escaped, then %-encoded', (s) => encodeURIComponent(htmlEncode(s))],
  ['base64', b64],
  ['base64url', b64url],
  ['hex', hex],
];

/** Which secrets (and how spelt) are still readable in `stored`. */
export function leaksOf(stored: string, secrets: string[]): string[] {
  const found: string[] = [];
  const lower = stored.toLowerCase();
  for (const secret of secrets.flatMap((s) => [s, s.replace(/=+$/, '')])) {
    for (const [how, spell] of SPELLINGS) {
      const spelt = spell(secret);
      if (spelt.length >= 4 && lower.includes(spelt.toLowerCase())) {
        found.push(`${how}: ${secret.slice(0, 8)}`);
      }
    }
  }
  return found;
}
