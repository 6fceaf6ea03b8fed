// The six events, grouped and explained as the help page does (Area, Trigger, Meaning). The
// names are the API's (EventName comes from the generated OpenAPI types): the Record below
// fails to compile when the server adds or renames one.
import type { EventName } from './types';

const MEANINGS: Record<EventName, string> = {
  booking_created: 'A new reservation has been created.',
  booking_updated: 'An existing reservation has been changed (e.g., time, number of people).',
  booking_deleted: 'A reservation has been canceled or deleted.',
  productorder_created: 'A new online order has been received.',
  productorder_updated: 'An existing order has been modified.',
  productorder_deleted: 'An order has been canceled or deleted.',
};

export const isEventName = (name: string): name is EventName => Object.hasOwn(MEANINGS, name);

export interface EventGroup {
  area: string;
  resource: 'booking' | 'productorder';
  events: { name: EventName; meaning: string }[];
}

const group = (area: string, resource: EventGroup['resource']): EventGroup => ({
  area,
  resource,
  events: (Object.keys(MEANINGS) as EventName[])
    .filter((name) => name.startsWith(`${resource}_`))
    .map((name) => ({ name, meaning: MEANINGS[name] })),
});

export const EVENT_GROUPS: EventGroup[] = [
  group('Reservations', 'booking'),
  group('Online orders', 'productorder'),
];
