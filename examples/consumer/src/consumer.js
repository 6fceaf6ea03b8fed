// @ts-check
// The receiver's logic, apart from the process around it (main.js) so a test can run it as is.
import { isBookingTrigger, nodeReceiver, TablehooksApiError } from '@tablehooks/receiver';

/**
 * @typedef {import('@tablehooks/receiver').Trigger} Trigger
 * @typedef {import('@tablehooks/receiver').Booking} Booking
 * @typedef {import('@tablehooks/receiver').ProductOrder} ProductOrder
 * @typedef {{ fetchDetails(trigger: Trigger): Promise<Booking | ProductOrder> }} DetailsSource
 */

/** @param {number} minor @param {string} currency */
const money = (minor, currency) => `${(minor / 100).toFixed(2)} ${currency}`;

/**
 * What a person wants to read about a booking or an order.
 * @param {Trigger} trigger
 * @param {Booking | ProductOrder} details
 */
export function describe(trigger, details) {
  if (isBookingTrigger(trigger)) {
    const b = /** @type {Booking} */ (details);
    return `${b.name}, party of ${b.num}, ${b.date} for ${b.duration} min, status ${b.status}${b.table ? `, table ${b.table}` : ''}`;
  }
  const o = /** @type {ProductOrder} */ (details);
  const items = o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ');
  return `${o.name}, ${o.type}: ${items}, total ${money(o.total, o.currency)}, status ${o.status}`;
}

/**
 * A node:http listener that verifies each trigger, fetches what it points at and prints it.
 * @param {{ username: string, password: string, secret: string, client: DetailsSource,
 *   print?: (line: string) => void, remember?: number }} options
 */
export function createConsumer({
  username,
  password,
  secret,
  client,
  print = console.log,
  remember = 10_000,
}) {
  // webhook-id is the same on every retry of one delivery; a receiver that must act once per
  // change keeps the ids it has handled (here in memory; durably, in a real system).
  /** @type {Set<string>} */
  const handled = new Set();
  return nodeReceiver({ username, password, secret }, async ({ trigger, webhookId, test }) => {
    if (handled.has(webhookId)) {
      print(`${webhookId}: already handled, ignored`);
      return;
    }
    const what = `${trigger.action} ${isBookingTrigger(trigger) ? 'booking' : 'order'} ${trigger.id} at ${trigger.facility_id}`;
    let line = 'a test trigger: nothing to fetch';
    try {
      // A test trigger sent without an id carries 0, which no booking or order has.
      if (trigger.id !== 0) line = describe(trigger, await client.fetchDetails(trigger));
    } catch (error) {
      // Gone since the trigger was sent: a *_DELETED trigger says so, or one follows.
      if (!(error instanceof TablehooksApiError && error.reason === 'not_found')) throw error;
      line = 'no longer exists';
    }
    print(`${what}${test ? ' (test)' : ''} [${webhookId}]\n  ${line}`);
    handled.add(webhookId);
    if (handled.size > remember) handled.delete(handled.values().next().value ?? '');
  });
}
