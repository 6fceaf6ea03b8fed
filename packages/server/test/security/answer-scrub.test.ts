// The answer scrub, table-driven: our Basic credentials, echoed back by a receiver in every
// common encoding, never reach the delivery log; ordinary answers stay as they were.
import { describe, expect, it } from 'vitest';
import { REDACTED, withoutCredentials } from '../../src/security/answer-scrub.js';
import { b64, b64url, hex, leaksOf, SPELLINGS } from '../support/encodings.js';

const USER = 'zapier';
const PASSWORD = 's3cret pässwörd/+&=?';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = basic(USER, PASSWORD);
const TOKEN = AUTH.slice('Basic '.length);
const USER_PASS = `${USER}:${PASSWORD}`;

const leaks = (stored: string) => leaksOf(stored, [TOKEN, USER_PASS, PASSWORD]);

describe('the answer scrub', () => {
  const contexts: [string, (s: string) => string][] = [
    ['alone', (s) => s],
    ['in a sentence', (s) => `You sent ${s}, thanks.`],
    ['in a query string', (s) => `GET /echo?authorization=${s}&x=1`],
    ['in JSON', (s) => `{"headers":{"authorization":"${s}"}}`],
    ['in HTML', (s) => `<pre>${s}</pre>`],
    ['glued to letters', (s) => `abc${s}xyz`],
  ];
  for (const secret of ['the Basic header', 'the token', 'user:password', 'the password']) {
    const value = {
      'the Basic header': AUTH,
      'the token': TOKEN,
      'user:password': USER_PASS,
      'the password': PASSWORD,
    }[secret]!;
    it.each(SPELLINGS)(`blanks out ${secret} spelt %s, wherever it stands`, (_, spell) => {
      for (const [where, put] of contexts) {
        const stored = withoutCredentials(put(spell(value)), AUTH);
        expect(leaks(stored), `${where}: ${stored}`).toEqual([]);
        expect(stored, where).toContain(REDACTED);
      }
    });
  }

  it('blanks out a secret inside a longer base64 or hex blob, at any offset', () => {
    for (let pad = 0; pad < 6; pad++) {
      const header = `${'x'.repeat(pad)}Authorization: ${AUTH}\r\nX-Other: 1`;
      for (const blob of [b64(header), b64url(header), hex(header), b64(USER_PASS.slice(0))]) {
        const stored = withoutCredentials(`{"raw":"${blob}"}`, AUTH);
        expect(leaks(stored)).toEqual([]);
        // Nothing that decodes back to the password is left.
        const decoded = Buffer.from(stored.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString();
        expect(decoded).not.toContain(PASSWORD);
      }
    }
  });

  it('blanks out a token cut short by the size cap at the end of the answer', () => {
    for (let keep = 1; keep < TOKEN.length; keep++) {
      for (const prefix of ['authorization: Basic ', 'authorization=Basic+', '"Basic ']) {
        const cut = `${'.'.repeat(100)}${prefix}${TOKEN.slice(0, keep)}`;
        const stored = withoutCredentials(cut, AUTH).replaceAll(REDACTED, '');
        expect(stored, cut).not.toContain(TOKEN.slice(0, keep));
      }
      // Without a Basic before it, from three characters on.
      if (keep >= 3) {
        const stored = withoutCredentials(`echo:${TOKEN.slice(0, keep)}`, AUTH);
        expect(stored.replaceAll(REDACTED, '')).not.toContain(TOKEN.slice(0, keep));
      }
    }
    for (let keep = 3; keep < PASSWORD.length; keep++) {
      const stored = withoutCredentials(`"password":"${PASSWORD.slice(0, keep)}`, AUTH);
      expect(stored.replaceAll(REDACTED, '')).not.toContain(PASSWORD.slice(0, keep));
    }
  });

  it('blanks a password under 4 characters out where the answer labels it, and nowhere else', () => {
    for (const password of ['a', 'pw', '12', 'x y', 'ü', '%2']) {
      const auth = basic('u', password);
      const token = auth.slice(6);
      for (const [echo, left] of [
        [`password=${encodeURIComponent(password)}&user=u`, '&user=u'],
        [`{"pass": "${password}"}`, '"}'],
        [`pwd: ${password}\n`, '\n'],
        [`Authorization: ${auth}`, 'Authorization: '],
        [`authorization=${encodeURIComponent(auth)}`, 'authorization='],
        [`got u:${password} from you`, ' from you'],
        [`token ${token} and ${encodeURIComponent(token)}`, ' and '],
      ] as const) {
        const stored = withoutCredentials(echo, auth);
        expect(stored, echo).toContain(REDACTED);
        expect(stored, echo).toContain(left);
        expect(stored.replaceAll(REDACTED, ''), echo).not.toContain(token);
      }
      // Ordinary text keeps a word that happens to be the password: a blank there would name it.
      for (const answer of ['ok', `you said ${password}`, 'a pw 12 x y ü']) {
        expect(withoutCredentials(answer, auth)).toBe(answer);
      }
    }
  });

  it('blanks every value labelled as a password, ours or not, so that a blank tells nothing', () => {
    for (const guess of ['hunter2', PASSWORD, 'wrong-guess']) {
      const stored = withoutCredentials(`GET /echo?password=${encodeURIComponent(guess)}`, AUTH);
      expect(stored).toBe(`GET /echo?password=${REDACTED}`);
    }
  });

  it('leaves ordinary answers, and answers with no credentials sent, as they were', () => {
    for (const answer of [
      'ok',
      '',
      '{"status":"received","id":51918313}',
      'thanks, got it',
      '<html><body>Accepted</body></html>',
      'x'.repeat(4096),
      'Basic auth is required here',
    ]) {
      expect(withoutCredentials(answer, AUTH)).toBe(answer);
      expect(withoutCredentials(answer, undefined)).toBe(answer);
    }
  });
});
