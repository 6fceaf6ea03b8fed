// Online orders: list, create, edit, cancel. Every change triggers the productorder_*
// webhooks.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { ResourceListPage } from '../components/resource-list-page';
import { Badge, errorsFrom, Field, type FormErrors, Notice, noErrors } from '../components/ui';
import { formatDateTime, isoToLocalInput, localInputToIso, money } from '../format';
import { useFacilityPath } from '../session';
import type { Order } from '../types';

const NEXT: Record<string, string[]> = {
  received: ['accepted', 'cancelled'],
  accepted: ['ready', 'cancelled'],
  ready: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};
const FROZEN = ['completed', 'cancelled'];
const INITIAL = ['received', 'accepted'];
const LABEL: Record<string, string> = {
  received: 'Received',
  accepted: 'Accepted',
  ready: 'Ready',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

interface ItemValues {
  name: string;
  quantity: string;
  price: string;
}

interface Values {
  type: 'pickup' | 'delivery';
  name: string;
  email: string;
  phone: string;
  requested_time: string;
  status: string;
  items: ItemValues[];
  street: string;
  postal_code: string;
  city: string;
  comment: string;
}

const blank = (): Values => ({
  type: 'pickup',
  name: '',
  email: '',
  phone: '',
  requested_time: '',
  status: 'received',
  items: [{ name: '', quantity: '1', price: '' }],
  street: '',
  postal_code: '',
  city: '',
  comment: '',
});

const valuesOf = (o: Order): Values => ({
  type: o.type,
  name: o.name,
  email: o.email ?? '',
  phone: o.phone ?? '',
  requested_time: isoToLocalInput(o.requested_time),
  status: o.status,
  items: o.items.map((i) => ({
    name: i.name,
    quantity: String(i.quantity),
    price: (i.unit_price / 100).toFixed(2),
  })),
  street: o.address?.street ?? '',
  postal_code: o.address?.postal_code ?? '',
  city: o.address?.city ?? '',
  comment: o.comment ?? '',
});

/** "12.50" or "12,50" → 1250 minor units; anything else is sent as typed, for the API to name. */
function minor(price: string): number | string {
  const m = /^\s*(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(price);
  if (!m) return price;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

export function OrdersPage() {
  return (
    <ResourceListPage<Order>
      title="Online orders"
      noun="Order"
      event="productorder"
      path="/productorders"
      loadingWhat="orders"
      empty="No online orders yet."
      canEdit={(o) => !FROZEN.includes(o.status)}
      canCancel={() => true}
      form={({ item, onClose, onSaved }) => (
        <OrderForm order={item} onClose={onClose} onSaved={onSaved} />
      )}
      row={(o) => (
        <>
          <div className="row-main">
            <strong>{o.name}</strong>
            <span>{o.type === 'pickup' ? 'Pickup' : 'Delivery'}</span>
            <span>{money(o.total, o.currency)}</span>
            <Badge tone={o.status === 'cancelled' ? 'muted' : 'ok'}>
              {LABEL[o.status] ?? o.status}
            </Badge>
          </div>
          <p className="muted small">
            #{o.id} · {o.items.map((i) => `${i.quantity}× ${i.name}`).join(', ')}
            {o.requested_time ? ` · for ${formatDateTime(o.requested_time)}` : ''}
          </p>
        </>
      )}
    />
  );
}

function OrderForm({
  order,
  onClose,
  onSaved,
}: {
  order: Order | undefined;
  onClose: () => void;
  onSaved: (o: Order, created: boolean) => Promise<void>;
}) {
  const at = useFacilityPath();
  const [v, setV] = useState<Values>(() => (order ? valuesOf(order) : blank()));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const set = (k: keyof Values) => (e: { target: { value: string } }) =>
    setV((old) => ({ ...old, [k]: e.target.value }));
  const setItem = (i: number, k: keyof ItemValues, value: string) =>
    setV((old) => ({
      ...old,
      items: old.items.map((it, j) => (j === i ? { ...it, [k]: value } : it)),
    }));
  const statuses = order ? [order.status, ...(NEXT[order.status] ?? [])] : INITIAL;
  const fields = [
    'type',
    'name',
    'email',
    'phone',
    'requested_time',
    'status',
    'items',
    'address',
    'address.street',
    'address.postal_code',
    'address.city',
    'comment',
    ...v.items.flatMap((_, i) => [
      `items.${i}.name`,
      `items.${i}.quantity`,
      `items.${i}.unit_price`,
    ]),
  ];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(noErrors);
    const body: Record<string, unknown> = {
      type: v.type,
      name: v.name,
      email: orNull(v.email),
      phone: orNull(v.phone),
      requested_time: v.requested_time ? localInputToIso(v.requested_time) : null,
      items: v.items.map((it, i) => ({
        product_id: `item-${i + 1}`,
        name: it.name,
        quantity: /^\s*\d+\s*$/.test(it.quantity) ? Number(it.quantity) : it.quantity,
        unit_price: minor(it.price),
      })),
      address:
        v.type === 'delivery'
          ? { street: v.street, postal_code: v.postal_code, city: v.city }
          : null,
      comment: orNull(v.comment),
    };
    if (!order || v.status !== order.status) body.status = v.status;
    try {
      const saved = order
        ? await api<Order>('PATCH', at(`/productorders/${order.id}`), body)
        : await api<Order>('POST', at('/productorders'), body);
      await onSaved(saved, !order);
    } catch (err) {
      setErrors(errorsFrom(err, fields));
    } finally {
      setBusy(false);
    }
  }

  const err = errors.fields;
  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="order-form-title">
      <h2 id="order-form-title">{order ? `Edit order #${order.id}` : 'New online order'}</h2>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <fieldset className="inline-choices">
        <legend>Type</legend>
        {(['pickup', 'delivery'] as const).map((t) => (
          <span className="check" key={t}>
            <input
              type="radio"
              id={`o-type-${t}`}
              name="o-type"
              checked={v.type === t}
              onChange={() => setV((old) => ({ ...old, type: t }))}
            />
            <label htmlFor={`o-type-${t}`}>{t === 'pickup' ? 'Pickup' : 'Delivery'}</label>
          </span>
        ))}
        {err.type && <p className="field-error">{err.type}</p>}
      </fieldset>
      <div className="row">
        <Field id="o-name" label="Customer name" error={err.name}>
          {(p) => (
            <input {...p} ref={first} value={v.name} onChange={set('name')} autoComplete="off" />
          )}
        </Field>
        <Field id="o-status" label="Status" error={err.status} className="narrow">
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
      <fieldset className={`items${err.items ? ' has-error' : ''}`}>
        <legend>Items</legend>
        {v.items.map((it, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="row item-row" key={i}>
            <Field id={`o-item-${i}-name`} label={`Item ${i + 1}`} error={err[`items.${i}.name`]}>
              {(p) => (
                <input
                  {...p}
                  value={it.name}
                  onChange={(e) => setItem(i, 'name', e.target.value)}
                />
              )}
            </Field>
            <Field
              id={`o-item-${i}-qty`}
              label="Quantity"
              error={err[`items.${i}.quantity`]}
              className="narrow"
            >
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  inputMode="numeric"
                  value={it.quantity}
                  onChange={(e) => setItem(i, 'quantity', e.target.value)}
                />
              )}
            </Field>
            <Field
              id={`o-item-${i}-price`}
              label="Unit price (€)"
              error={err[`items.${i}.unit_price`]}
              className="narrow"
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  placeholder="12.50"
                  value={it.price}
                  onChange={(e) => setItem(i, 'price', e.target.value)}
                />
              )}
            </Field>
            {v.items.length > 1 && (
              <button
                type="button"
                className="button small remove"
                aria-label={`Remove item ${i + 1}`}
                onClick={() =>
                  setV((old) => ({ ...old, items: old.items.filter((_, j) => j !== i) }))
                }
              >
                Remove
              </button>
            )}
          </div>
        ))}
        {err.items && <p className="field-error">{err.items}</p>}
        <button
          type="button"
          className="button small"
          onClick={() =>
            setV((old) => ({
              ...old,
              items: [...old.items, { name: '', quantity: '1', price: '' }],
            }))
          }
        >
          + Add item
        </button>
      </fieldset>
      {v.type === 'delivery' && (
        <fieldset className={err.address ? 'has-error' : undefined}>
          <legend>Delivery address</legend>
          <Field id="o-street" label="Street and number" error={err['address.street']}>
            {(p) => (
              <input
                {...p}
                value={v.street}
                onChange={set('street')}
                autoComplete="street-address"
              />
            )}
          </Field>
          <div className="row">
            <Field
              id="o-postal"
              label="Postal code"
              error={err['address.postal_code']}
              className="narrow"
            >
              {(p) => (
                <input
                  {...p}
                  value={v.postal_code}
                  onChange={set('postal_code')}
                  autoComplete="postal-code"
                />
              )}
            </Field>
            <Field id="o-city" label="City" error={err['address.city']}>
              {(p) => (
                <input {...p} value={v.city} onChange={set('city')} autoComplete="address-level2" />
              )}
            </Field>
          </div>
          {err.address && <p className="field-error">{err.address}</p>}
        </fieldset>
      )}
      <div className="row">
        <Field id="o-time" label="Requested time (optional)" error={err.requested_time}>
          {(p) => (
            <input
              {...p}
              type="datetime-local"
              value={v.requested_time}
              onChange={set('requested_time')}
            />
          )}
        </Field>
        <Field id="o-email" label="Email (optional)" error={err.email}>
          {(p) => (
            <input {...p} type="email" value={v.email} onChange={set('email')} autoComplete="off" />
          )}
        </Field>
        <Field id="o-phone" label="Phone (optional)" error={err.phone}>
          {(p) => (
            <input {...p} type="tel" value={v.phone} onChange={set('phone')} autoComplete="off" />
          )}
        </Field>
      </div>
      <Field id="o-comment" label="Notes (optional)" error={err.comment}>
        {(p) => <textarea {...p} rows={2} value={v.comment} onChange={set('comment')} />}
      </Field>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {order ? 'Save order' : 'Create order'}
        </button>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
