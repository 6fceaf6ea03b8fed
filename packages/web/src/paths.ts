// Where each page lives; the settings pages follow the help page's
// "Settings > Integration > Developers > Webhooks".
export const WEBHOOKS = '/settings/integration/developers/webhooks';
export const API_KEYS = '/settings/integration/api';
export const BOOKINGS = '/bookings';
export const ORDERS = '/orders';
export const LOGIN = '/login';

export const webhookNew = `${WEBHOOKS}/new`;
export const webhookEdit = (id: string) => `${WEBHOOKS}/${encodeURIComponent(id)}/edit`;
export const webhookLog = (id: string) => `${WEBHOOKS}/${encodeURIComponent(id)}`;
