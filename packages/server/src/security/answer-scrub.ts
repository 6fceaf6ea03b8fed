// What a receiver answered, made fit to store in the delivery log: no NUL bytes, and none
// of the credentials we sent it, in whatever common encoding it spelt them.
import { type View, viewsOf } from './decoded-views.js';

/**
 * Text as every store takes it: PostgreSQL refuses NUL in a text column, and one such answer
 * would fail the whole batch of outcomes it is written with, again and again.
 */
export function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

export const REDACTED = '[redacted]';
// Shorter secrets would match ordinary text, and a blank where an ordinary word stood would
// tell the reader of the log what the password is. A shorter password is caught where the
// answer says it is one (CREDENTIAL_VALUE), and inside `user:password` and the token.
const MIN_SECRET = 4;
// The value after a key that names a credential, whatever it is: blanked out whether or not
// it is ours, so that a blank reveals nothing (a URL's `?password=guess`, echoed back, would
// otherwise tell a guesser when they were right), and whatever encoding we failed to undo.
const CREDENTIAL_VALUE =
  /\b(?:pass(?:word|wd|phrase)?|pwd|pw|authorization)\b["']?\s*[:=]\s*["']?(?:basic\s+)?([^\s"'&,;<>{}[\]]+)/gi;
// A secret cut at the size cap leaves its start at the very end of the answer.
const MIN_TAIL = 3;

/** Lower case, one code unit for one (so positions still match the view's map). */
function foldCase(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (!/[^\u0000-\u007f]/.test(s)) return s.toLowerCase();
  let out = '';
  for (const c of s) {
    const lower = c.toLowerCase();
    out += lower.length === c.length ? lower : c;
  }
  return out;
}

/** The base64 of `bytes` at each of the 3 alignments it can have inside a longer text. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    // Characters that also hold bits of the unknown neighbours are left out.
    const core = b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    cores.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return cores;
}

/** Every spelling of each secret to look for in the decoded views (ASCII case folded). */
function needlesOf(secrets: string[]): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    for (const form of new Set([secret, secret.normalize('NFC'), secret.normalize('NFD')])) {
      // `user:password` is never shorter than 3, and its colon makes it specific enough.
      if (form.length < 3) continue;
      const bytes = Buffer.from(form, 'utf8');
      out.add(form);
      out.add(bytes.toString('hex'));
      for (const core of base64Cores(bytes)) if (core.length >= MIN_SECRET) out.add(core);
    }
  }
  return [...out].map(foldCase).filter((n) => n.length > 0);
}

// A webhook sends the same credentials again and again: their needles are worked out once.
const needleCache = new Map<string, string[]>();
function cachedNeedles(token: string, userPass: string, password: string): string[] {
  let needles = needleCache.get(token);
  if (!needles) {
    const secrets = [token.replace(/=+$/, ''), userPass];
    needles = needlesOf(password.length >= MIN_SECRET ? [...secrets, password] : secrets);
    if (needleCache.size >= 1_000) needleCache.clear();
    needleCache.set(token, needles);
  }
  return needles;
}

/** [start, end) spans of the original text that spell a needle in this view. */
function spansIn(view: View, needles: string[]): [number, number][] {
  const text = foldCase(view.text);
  const spans: [number, number][] = [];
  const span = (start: number, end: number) => spans.push([view.start(start), view.end(end - 1)]);
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      span(at, at + needle.length);
    }
    // Cut at the cap: the text ends with the needle's start.
    for (let n = Math.min(needle.length - 1, text.length); n >= MIN_TAIL; n--) {
      if (text.endsWith(needle.slice(0, n))) {
        span(text.length - n, text.length);
        break;
      }
    }
  }
  // Whatever is labelled a password or an Authorization header.
  for (const m of view.text.matchAll(CREDENTIAL_VALUE)) {
    const value = m[1]!;
    const end = m.index + m[0].length;
    span(end - value.length, end);
  }
  return spans;
}

function blankOut(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    if (start > at) out += text.slice(at, start);
    if (start >= at || !out.endsWith(REDACTED)) out += REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

function credentialsOf(authorization: string | undefined) {
  const token = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  const userPass = Buffer.from(token, 'base64').toString('utf8');
  const colon = userPass.indexOf(':');
  if (colon === -1) return undefined;
  return { token, userPass, password: userPass.slice(colon + 1) };
}

/**
 * The answer with our own credentials blanked out. Some receivers echo the request back
 * (debugging endpoints, proxies' error pages); stored as is, the attempt log would hand the
 * write-only password to anyone who can read the delivery log. The Basic token, `user:password`
 * and the password are found in every view of the answer (plain, %-encoded with either hex
 * case or `+` for space, HTML character references, `\u`/`\x` escapes, nested), also as hex
 * or base64 inside a longer encoded blob, and cut short at the end by the size cap. A password
 * shorter than 4 characters can't be told from ordinary text: it is blanked out where the
 * answer labels a value as a password or an Authorization header (as any such value is).
 */
export function withoutCredentials(text: string, authorization: string | undefined): string {
  const credentials = credentialsOf(authorization);
  if (!credentials || text.length === 0) return text;
  const { token, userPass, password } = credentials;
  // Most answers are a few bytes ("ok"): too short to hold even a cut-off secret.
  if (text.length < MIN_TAIL) return text;
  const needles = cachedNeedles(token, userPass, password);
  const views = viewsOf(text);
  const spans = views.flatMap((view) => spansIn(view, needles));
  for (const view of views) {
    // `Basic ` and then the start of our token, however short, at the end.
    const m = /basic[\s+:=]+([a-z0-9+/_-]{1,})$/i.exec(view.text);
    if (m && foldCase(token).startsWith(foldCase(m[1]!))) {
      spans.push([view.start(view.text.length - m[1]!.length), view.end(view.text.length - 1)]);
    }
  }
  return blankOut(text, spans);
}
