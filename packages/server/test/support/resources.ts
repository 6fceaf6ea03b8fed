// The two resources a facility holds, as data for the tests they share: what one changes
// (a new resource type adds a row here and gets every shared test).
export interface TestResource {
  /** As in event names and events.resource_type. */
  type: 'booking' | 'productorder';
  table: 'bookings' | 'productorders';
  /** The collection's last path segment. */
  path: string;
  /** The member's id parameter, named in a 400. */
  idParam: string;
  /** A valid create body; `guest` appears in it (and so in every answer that leaks it). */
  body: Record<string, unknown>;
  guest: string;
  /** A valid change that is not a status move. */
  change: Record<string, unknown>;
}

export const RESOURCES: readonly TestResource[] = [
  {
    type: 'booking',
    table: 'bookings',
    path: 'bookings',
    idParam: 'booking_id',
    body: { num: 2, date: '2026-12-24T19:30:00+01:00', name: 'Grace Hopper' },
    guest: 'Grace',
    change: { num: 8, comment: 'birthday' },
  },
  {
    type: 'productorder',
    table: 'productorders',
    path: 'productorders',
    idParam: 'order_id',
    body: {
      type: 'delivery',
      items: [{ product_id: 'ramen', name: 'Ramen', quantity: 2, unit_price: 1400 }],
      name: 'Barbara Liskov',
      address: { street: 'Serra Mall 1', city: 'Stanford', postal_code: '94305' },
    },
    guest: 'Liskov',
    change: { items: [{ product_id: 'ramen', name: 'Ramen', quantity: 9, unit_price: 1400 }] },
  },
];
