// The page bookings and online orders share: a list of the facility's records, a form to
// create or edit one, and a cancel button, each change announcing the webhook event it sent.
// Only what a record shows and its form differ; the pages pass those in.
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { api, messageOf } from '../api';
import { WEBHOOKS } from '../paths';
import { keys, queryClient, useFacility } from '../query';
import { useFacilityPath, useSession } from '../session';
import type { List, Webhook } from '../types';
import { ConfirmButton, Link, Loading, Notice, useTitle } from './ui';

interface Resource {
  id: number;
  name: string;
  status: string;
}

export interface ResourceListPageProps<T extends Resource> {
  /** "Bookings": the heading, the page title and the list's label. */
  title: string;
  /** "Booking": in messages and, lower-cased, in button labels. */
  noun: string;
  /** The webhook events' prefix: booking → booking_created, booking_updated, booking_deleted. */
  event: string;
  /** Under the facility: "/bookings". */
  path: string;
  /** "bookings", as in "Loading bookings…". */
  loadingWhat: string;
  empty: string;
  /** The record's own lines, inside its list item. */
  row(item: T): ReactNode;
  canEdit(item: T): boolean;
  canCancel(item: T): boolean;
  form(props: {
    item: T | undefined;
    onClose: () => void;
    onSaved: (item: T, created: boolean) => Promise<void>;
  }): ReactNode;
}

export function ResourceListPage<T extends Resource>(p: ResourceListPageProps<T>) {
  useTitle(p.title);
  const at = useFacilityPath();
  const facilityId = useSession().session.facility.id;
  const listKey = [...keys.facility(facilityId), p.path] as const;
  const list = useQuery({
    queryKey: listKey,
    queryFn: () => api<List<T>>('GET', at(`${p.path}?limit=200`)),
  });
  const items = list.data?.objects;
  const [actionError, setActionError] = useState<string>();
  const error = actionError ?? (list.error ? messageOf(list.error) : undefined);
  // Who hears of a change: the webhooks listening to the event, on a premium facility. The
  // message says so truthfully instead of always "sent to your webhooks".
  const plan = useFacility().data?.plan;
  const hooks = useQuery({
    queryKey: keys.webhooks(facilityId),
    queryFn: () => api<List<Webhook>>('GET', at('/webhooks?limit=100')),
  }).data?.objects;
  const sentTo = (event: string): string => {
    if (plan === 'free') return 'no webhook notified: webhooks need the premium plan';
    if (!hooks) return `${event} sent to your webhooks`;
    const n = hooks.filter((w) => w.state === 'enabled' && w.events.includes(event)).length;
    if (n === 0) return `no webhook listens to ${event}`;
    return `${event} sent to ${n === 1 ? '1 webhook' : `${n} webhooks`}`;
  };
  // A change here makes deliveries: the record list and every webhook's log are refetched.
  const load = () => queryClient.invalidateQueries({ queryKey: keys.facility(facilityId) });
  const [editing, setEditing] = useState<T | 'new' | undefined>();
  const [done, setDone] = useState<string>();
  const noun = p.noun.toLowerCase();
  const headingId = `${p.path.slice(1)}-title`;
  // When the form closes (Close, or saved), the keyboard goes back to the button that opened
  // it ("+ New …" or the row's Edit), which the form replaced or which re-rendered.
  const opener = useRef<string | undefined>(undefined);
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (editing !== undefined || opener.current === undefined) return;
    const which = opener.current;
    opener.current = undefined;
    section.current?.querySelector<HTMLElement>(`[data-opener="${which}"]`)?.focus();
  }, [editing]);
  const open = (item: T | 'new') => {
    opener.current = item === 'new' ? 'new' : String(item.id);
    setDone(undefined);
    setEditing(item);
  };

  async function cancel(item: T) {
    try {
      await api('PATCH', at(`${p.path}/${item.id}`), { status: 'cancelled' });
      await load();
      setActionError(undefined);
      setDone(`${p.noun} #${item.id} cancelled (${sentTo(`${p.event}_deleted`)}).`);
    } catch (err) {
      setActionError(messageOf(err));
    }
  }

  return (
    <section className="page" aria-labelledby={headingId} ref={section}>
      <div className="page-head">
        <h1 id={headingId} tabIndex={-1}>
          {p.title}
        </h1>
        {editing === undefined && (
          <button
            type="button"
            className="button primary"
            data-opener="new"
            onClick={() => open('new')}
          >
            + New {noun}
          </button>
        )}
      </div>
      <p className="lead">
        Each change here sends the matching <code>{p.event}_*</code> event to your{' '}
        <Link to={WEBHOOKS}>webhooks</Link>.
      </p>
      {done && (
        <Notice kind="success" live>
          {done}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {editing !== undefined &&
        p.form({
          item: editing === 'new' ? undefined : editing,
          onClose: () => setEditing(undefined),
          onSaved: async (item, created) => {
            await load();
            setEditing(undefined);
            setDone(
              created
                ? `${p.noun} #${item.id} created (${sentTo(`${p.event}_created`)}).`
                : `${p.noun} #${item.id} saved (${sentTo(`${p.event}_updated`)}).`,
            );
          },
        })}
      {!items ? (
        !error && <Loading what={p.loadingWhat} />
      ) : items.length === 0 ? (
        <p className="empty card">{p.empty}</p>
      ) : (
        <ul className="rows" aria-label={p.title}>
          {items.map((item) => (
            <li
              key={item.id}
              className={`card row-item${item.status === 'cancelled' ? ' dim' : ''}`}
            >
              {p.row(item)}
              {p.canEdit(item) && (
                <div className="actions">
                  <button
                    type="button"
                    className="button small"
                    aria-label={`Edit ${noun} #${item.id} (${item.name})`}
                    data-opener={item.id}
                    onClick={() => open(item)}
                  >
                    Edit
                  </button>
                  {p.canCancel(item) && (
                    <ConfirmButton
                      className="button small danger"
                      label={`Cancel ${noun}`}
                      question={`Cancel the ${noun} of ${item.name}?`}
                      confirmLabel="Yes, cancel it"
                      onConfirm={() => cancel(item)}
                    />
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
