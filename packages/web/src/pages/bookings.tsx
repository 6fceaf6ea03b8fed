// Reservations: list, create, edit, cancel. Every change here triggers the booking_*
// webhooks, so staff can watch a change arrive in the delivery log.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { ResourceListPage } from '../components/resource-list-page';
import { Badge, errorsFrom, Field, type FormErrors, Notice, noErrors } from '../components/ui';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../format';
import { useFacilityPath } from '../session';
import type { Booking } from '../types';

// The server's status machine, so the form offers only moves it will accept.
const NEXT: Record<string, string[]> = {
  requested: ['confirmed', 'seated', 'cancelled'],
  confirmed: ['seated', 'no_show', 'cancelled'],
  seated: ['completed'],
  completed: [],
  no_show: ['seated'],
  cancelled: [],
};
const INITIAL = ['requested', 'confirmed', 'seated'];
const LABEL: Record<string, string> = {
  requested: 'Requested',
  confirmed: 'Confirmed',
  seated: 'Seated',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};
const FIELDS = ['name', 'num', 'date', 'duration', 'status', 'email', 'phone', 'table', 'comment'];

interface Values {
  name: string;
  num: string;
  date: string;
  duration: string;
  status: string;
  email: string;
  phone: string;
  table: string;
  comment: string;
}

function tomorrowAt(hour: number): string {
  const d = new Date(Date.now() + 86_400_000);
  d.setHours(hour, 0, 0, 0);
  return isoToLocalInput(d.toISOString());
}

const blank = (): Values => ({
  name: '',
  num: '2',
  date: tomorrowAt(19),
  duration: '120',
  status: 'confirmed',
  email: '',
  phone: '',
  table: '',
  comment: '',
});

const valuesOf = (b: Booking): Values => ({
  name: b.name,
  num: String(b.num),
  date: isoToLocalInput(b.date),
  duration: String(b.duration),
  status: b.status,
  email: b.email ?? '',
  phone: b.phone ?? '',
  table: b.table ?? '',
  comment: b.comment ?? '',
});

const int = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : s);
const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

export function BookingsPage() {
  return (
    <ResourceListPage<Booking>
      title="Bookings"
      noun="Booking"
      event="booking"
      path="/bookings"
      loadingWhat="bookings"
      empty="No bookings yet."
      canEdit={(b) => b.status !== 'cancelled'}
      canCancel={(b) => NEXT[b.status]?.includes('cancelled') ?? false}
      form={({ item, onClose, onSaved }) => (
        <BookingForm booking={item} onClose={onClose} onSaved={onSaved} />
      )}
      row={(b) => (
        <>
          <div className="row-main">
            <strong>{b.name}</strong>
            <span>
              {b.num} {b.num === 1 ? 'person' : 'people'}
            </span>
            <time dateTime={b.date}>{formatDateTime(b.date)}</time>
            <Badge
              tone={b.status === 'cancelled' ? 'muted' : b.status === 'no_show' ? 'bad' : 'ok'}
            >
              {LABEL[b.status] ?? b.status}
            </Badge>
          </div>
          <p className="muted small">
            #{b.id} · ref {b.ref_num}
            {b.table ? ` · table ${b.table}` : ''}
            {b.phone ? ` · ${b.phone}` : ''}
          </p>
        </>
      )}
    />
  );
}

function BookingForm({
  booking,
  onClose,
  onSaved,
}: {
  booking: Booking | undefined;
  onClose: () => void;
  onSaved: (b: Booking, created: boolean) => Promise<void>;
}) {
  const at = useFacilityPath();
  const [v, setV] = useState<Values>(() => (booking ? valuesOf(booking) : blank()));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const set = (k: keyof Values) => (e: { target: { value: string } }) =>
    setV((old) => ({ ...old, [k]: e.target.value }));
  const statuses = booking ? [booking.status, ...(NEXT[booking.status] ?? [])] : INITIAL;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    const body: Record<string, unknown> = {
      name: v.name,
      num: int(v.num),
      date: localInputToIso(v.date),
      duration: int(v.duration),
      email: orNull(v.email),
      phone: orNull(v.phone),
      table: orNull(v.table),
      comment: orNull(v.comment),
    };
    if (!booking || v.status !== booking.status) body.status = v.status;
    try {
      const saved = booking
        ? await api<Booking>('PATCH', at(`/bookings/${booking.id}`), body)
        : await api<Booking>('POST', at('/bookings'), body);
      await onSaved(saved, !booking);
    } catch (err) {
      setErrors(errorsFrom(err, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  const err = errors.fields;
  const title = booking ? `Edit booking #${booking.id}` : 'New booking';
  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="booking-form-title">
      <h2 id="booking-form-title">{title}</h2>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <div className="row">
        <Field id="b-name" label="Guest name" error={err.name}>
          {(p) => (
            <input {...p} ref={first} value={v.name} onChange={set('name')} autoComplete="off" />
          )}
        </Field>
        <Field id="b-num" label="Party size" error={err.num} className="narrow">
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              inputMode="numeric"
              value={v.num}
              onChange={set('num')}
            />
          )}
        </Field>
      </div>
      <div className="row">
        <Field id="b-date" label="Date and time" error={err.date}>
          {(p) => <input {...p} type="datetime-local" value={v.date} onChange={set('date')} />}
        </Field>
        <Field id="b-duration" label="Duration (minutes)" error={err.duration} className="narrow">
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              inputMode="numeric"
              value={v.duration}
              onChange={set('duration')}
            />
          )}
        </Field>
        <Field id="b-status" label="Status" error={err.status} className="narrow">
          {(p) => (
            <select {...p} value={v.status} onChange={set('status')}>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {LABEL[s] ?? s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="row">
        <Field id="b-email" label="Email (optional)" error={err.email}>
          {(p) => (
            <input {...p} type="email" value={v.email} onChange={set('email')} autoComplete="off" />
          )}
        </Field>
        <Field id="b-phone" label="Phone (optional)" error={err.phone}>
          {(p) => (
            <input {...p} type="tel" value={v.phone} onChange={set('phone')} autoComplete="off" />
          )}
        </Field>
        <Field id="b-table" label="Table (optional)" error={err.table} className="narrow">
          {(p) => <input {...p} value={v.table} onChange={set('table')} />}
        </Field>
      </div>
      <Field id="b-comment" label="Notes (optional)" error={err.comment}>
        {(p) => <textarea {...p} rows={2} value={v.comment} onChange={set('comment')} />}
      </Field>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {booking ? 'Save booking' : 'Create booking'}
        </button>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
