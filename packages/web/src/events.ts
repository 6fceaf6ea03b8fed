// The six events, grouped and explained as the help page does (Area, Trigger, Meaning).
import type { EventName } from './types';

export interface EventGroup {
  area: string;
  resource: 'booking' | 'productorder';
  events: { name: EventName; meaning: string }[];
}

export const EVENT_GROUPS: EventGroup[] = [
  {
    area: 'Reservations',
    resource: 'booking',
    events: [
      { name: 'booking_created', meaning: 'A new reservation has been created.' },
      {
        name: 'booking_updated',
        meaning: 'An existing reservation has been changed (e.g., time, number of people).',
      },
      { name: 'booking_deleted', meaning: 'A reservation has been canceled or deleted.' },
    ],
  },
  {
    area: 'Online orders',
    resource: 'productorder',
    events: [
      { name: 'productorder_created', meaning: 'A new online order has been received.' },
      { name: 'productorder_updated', meaning: 'An existing order has been modified.' },
      { name: 'productorder_deleted', meaning: 'An order has been canceled or deleted.' },
    ],
  },
];
