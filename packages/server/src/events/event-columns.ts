import type { ColumnTypes } from '../db/insert-in-facility.js';

/** The events table's columns and their types, for the statements that insert an event. */
export const EVENT_COLUMNS: ColumnTypes<'events'> = {
  facility_id: 'text',
  resource_type: 'text',
  resource_id: 'bigint',
  event: 'text',
  source: 'text',
  created_at: 'bigint',
};
