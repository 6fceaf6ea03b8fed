// Instants as the API takes them: RFC 3339 date-times that name a real moment. The format
// alone allows more than that: ajv's "date-time" takes a leap second (23:59:60), which no
// JavaScript Date can hold, so the UI's formatting of such a booking threw and took its whole
// page down. One parser decides for every date input (bookings, orders, list filters,
// `since`/`until`): the route schemas' "date-time" format and epochOf both use it.

// 2026-12-24T19:30:00+01:00, 2026-12-24t18:30:00.5z, 2026-12-24 18:30:00Z
const GRAMMAR =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

function daysIn(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch milliseconds of an RFC 3339 date-time with an offset, or undefined when the text is
 * not one or names no real moment: month 13, 30 February, hour 24, second 60 (leap seconds
 * are refused, as JavaScript can't represent them), an offset beyond ±23:59, year 0000.
 */
export function parseInstant(text: string): number | undefined {
  const m = GRAMMAR.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [, , , , , , , frac = '', zulu, sign, oh = '0', om = '0'] = m;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  if (!zulu && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const t = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter maps years 0–99 to 1900–1999.
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, Number(frac.padEnd(3, '0').slice(0, 3)));
  const offsetMs = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  const ms = t.getTime() - offsetMs;
  return Number.isFinite(ms) ? ms : undefined;
}

/** For ajv: the "date-time" format of every route schema. */
export const isInstant = (text: string): boolean => parseInstant(text) !== undefined;
