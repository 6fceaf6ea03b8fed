// What `tablehooks demo` puts in its facility: bookings and orders made through the same
// services as the API, so each one commits its event and its trigger goes out for real.

import { bookingsService } from '../bookings/bookings.service.js';
import type { AppDeps } from '../deps.js';
import { ordersService } from '../orders/orders.service.js';

const GUESTS = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Margaret Hamilton',
  'Donald Knuth',
  'Frances Allen',
  'Ken Thompson',
];

const MENU = [
  { product_id: 'margherita', name: 'Pizza Margherita', unit_price: 1150 },
  { product_id: 'lasagne', name: 'Lasagne', unit_price: 1400 },
  { product_id: 'tiramisu', name: 'Tiramisu', unit_price: 650 },
  { product_id: 'lemonade', name: 'Lemonade', unit_price: 380 },
];

const guest = (i: number) => GUESTS[i % GUESTS.length]!;

export async function fillDemo(
  deps: AppDeps,
  facilityId: string,
  counts: { bookings: number; orders: number },
): Promise<void> {
  const bookings = bookingsService(deps);
  const orders = ordersService(deps);
  const day = 24 * 3600 * 1000;
  for (let i = 0; i < counts.bookings; i++) {
    const start = new Date(deps.clock.now() + (1 + (i % 7)) * day);
    start.setUTCHours(17 + (i % 4), i % 2 ? 30 : 0, 0, 0);
    const name = guest(i);
    const created = await bookings.create(facilityId, {
      num: 2 + (i % 5),
      date: start.toISOString(),
      name,
      email: `${name.split(' ')[0]!.toLowerCase()}@guests.example`,
      status: i % 3 === 0 ? 'requested' : 'confirmed',
      comment: i % 4 === 0 ? 'Window table, if possible' : undefined,
      source: 'demo',
    });
    // A few changes too, so updates and cancellations (booking_deleted) show up.
    if (i % 3 === 0) await bookings.update(facilityId, created.id, { status: 'confirmed' });
    if (i % 5 === 4) await bookings.update(facilityId, created.id, { status: 'cancelled' });
  }
  for (let i = 0; i < counts.orders; i++) {
    const delivery = i % 2 === 1;
    const items = [MENU[i % MENU.length]!, MENU[(i + 2) % MENU.length]!].map((m, k) => ({
      ...m,
      quantity: 1 + ((i + k) % 3),
    }));
    const created = await orders.create(facilityId, {
      type: delivery ? 'delivery' : 'pickup',
      items,
      name: guest(i + 3),
      address: delivery
        ? { street: `Demo Street ${i + 1}`, city: 'Berlin', postal_code: '10115' }
        : undefined,
    });
    if (i % 3 === 0) await orders.update(facilityId, created.id, { status: 'accepted' });
  }
}
