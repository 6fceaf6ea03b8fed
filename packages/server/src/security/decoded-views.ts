// The answer as a receiver may have encoded what we sent it: each view is the text with one
// more round of the common escapes undone (%XX and form `+`, HTML character references,
// JSON/JavaScript backslash escapes), and remembers, for each of its characters, which part
// of the original text it came from. A secret found in any view is blanked out in the
// original, whatever mix of encodings it was spelt in.
import { decodeHTML } from 'entities';

export interface View {
  text: string;
  /** Where the source of `text[i]` starts and ends in the original. */
  start(i: number): number;
  end(i: number): number;
}

export function identity(text: string): View {
  return { text, start: (i) => i, end: (i) => i + 1 };
}

const ESCAPES = /[%&\\]/;
const ESCAPES_OR_PLUS = /[%&\\+]/;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '/': '/',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

const utf8 = new TextDecoder('utf-8');

/** One escape at `i`: what it decodes to and how many characters it spans; or undefined. */
function escapeAt(s: string, i: number, plusAsSpace: boolean): [string, number] | undefined {
  const c = s[i];
  if (c === '+' && plusAsSpace) return [' ', 1];
  if (c === '&') {
    const m = /^&(?:#\d{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)/.exec(
      s.slice(i, i + 40),
    );
    if (!m) return undefined;
    const decoded = decodeHTML(m[0]);
    return decoded === m[0] ? undefined : [decoded, m[0].length];
  }
  if (c === '\\') {
    const rest = s.slice(i, i + 12);
    const m =
      /^\\u\{([0-9a-fA-F]{1,6})\}/.exec(rest) ??
      /^\\u([0-9a-fA-F]{4})/.exec(rest) ??
      /^\\x([0-9a-fA-F]{2})/.exec(rest);
    if (m) {
      const code = Number.parseInt(m[1]!, 16);
      return code <= 0x10ffff ? [String.fromCodePoint(code), m[0].length] : undefined;
    }
    const simple = SIMPLE_ESCAPES[s[i + 1] ?? ''];
    return simple === undefined ? undefined : [simple, 2];
  }
  return undefined;
}

/** The view with one more round of escapes undone; the same view when there were none. */
export function decodeOnce(view: View, plusAsSpace: boolean): View {
  const { text: s } = view;
  // Most answers hold no escape at all.
  if (!(plusAsSpace ? ESCAPES_OR_PLUS : ESCAPES).test(s)) return view;
  const out: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const emit = (chars: string, start: number, end: number) => {
    for (let k = 0; k < chars.length; k++) {
      out.push(chars[k]!);
      from.push(view.start(start));
      to.push(view.end(end - 1));
    }
  };
  let i = 0;
  while (i < s.length) {
    // A run of %XX is one byte sequence: UTF-8 spans several escapes.
    if (s[i] === '%' && /^%[0-9a-fA-F]{2}/.test(s.slice(i, i + 3))) {
      const bytes: number[] = [];
      let j = i;
      while (/^%[0-9a-fA-F]{2}/.test(s.slice(j, j + 3))) {
        bytes.push(Number.parseInt(s.slice(j + 1, j + 3), 16));
        j += 3;
      }
      const chars = utf8.decode(new Uint8Array(bytes));
      if (chars.length === bytes.length) {
        for (let k = 0; k < chars.length; k++) emit(chars[k]!, i + 3 * k, i + 3 * k + 3);
      } else {
        // Multi-byte characters: each is traced back to the whole run (over-blanking is fine).
        emit(chars, i, j);
      }
      i = j;
      continue;
    }
    const escaped = escapeAt(s, i, plusAsSpace);
    if (escaped) {
      emit(escaped[0], i, i + escaped[1]);
      i += escaped[1];
    } else {
      emit(s[i]!, i, i + 1);
      i++;
    }
  }
  const text = out.join('');
  return text === s ? view : { text, start: (k) => from[k]!, end: (k) => to[k]! };
}

/** The original and up to `rounds` decoded views of it, with `+` read as a space and not. */
export function viewsOf(text: string, rounds = 3): View[] {
  const views = [identity(text)];
  for (const plusAsSpace of [false, true]) {
    let view = views[0]!;
    for (let round = 0; round < rounds; round++) {
      const next = decodeOnce(view, plusAsSpace);
      if (next === view) break;
      view = next;
      if (!views.some((v) => v.text === view.text)) views.push(view);
    }
  }
  return views;
}
