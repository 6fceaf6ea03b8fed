// Dates and numbers as people read them, in the browser's own locale and time zone.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'short',
  timeStyle: 'medium',
});

/** The moment `iso` names, or undefined when the browser can't read it as one. */
function momentOf(iso: string): number | undefined {
  const ms = new Date(iso).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

// Each formatter is total: a value the browser can't read (a leap second stored before the
// API refused them, a format from a newer server) is shown as the text it is. A throw here
// would take down the whole page that lists it, for every booking on it.
function formatWith(format: Intl.DateTimeFormat, iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = momentOf(iso);
  if (ms === undefined) return String(iso);
  try {
    return format.format(ms);
  } catch {
    return String(iso);
  }
}

export const formatDateTime = (iso: string | null | undefined): string => formatWith(dateTime, iso);

export const formatPrecise = (iso: string | null | undefined): string =>
  formatWith(timeWithSeconds, iso);

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = momentOf(iso);
  if (ms === undefined) return String(iso);
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, 'second');
  if (abs < 2700) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 64_800) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

export function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** "2026-12-24T19:30" (a datetime-local input) → ISO 8601 with this browser's offset. */
export function localInputToIso(value: string): string {
  if (!value) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  const seconds = value.length === 16 ? ':00' : '';
  return `${value}${seconds}${sign}${hh}:${mm}`;
}

/** An ISO instant → the value a datetime-local input shows, in local time. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
