import type { Booking, ProductOrder } from './resources.js';
import {
  type BookingTrigger,
  isBookingTrigger,
  type ProductOrderTrigger,
  type Trigger,
} from './trigger.js';

export interface ClientOptions {
  /** Where tablehooks serves its API, e.g. `https://tablehooks.example.com` (no `/v1`). */
  baseUrl: string;
  /** An API key of the facility with the `read` scope. */
  apiKey: string;
  /** Another fetch (a proxy agent, a test double); default: the global one. */
  fetch?: typeof fetch;
  /** A request's hard limit. Default 10 000 ms. */
  timeoutMs?: number;
}

export type ApiErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'http_error'
  | 'network_error'
  | 'invalid_response';

const REASONS: Record<number, ApiErrorReason> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
};

const HINTS: Partial<Record<ApiErrorReason, string>> = {
  unauthorized: 'the API key is missing, wrong or revoked',
  forbidden: 'the API key lacks the "read" scope',
  not_found:
    'no such resource for this key: deleted since the trigger, or the key belongs to another facility',
};

/** The API's error answer: `{"error": {"code", "message", "field"?}}`. */
function apiErrorOf(json: unknown): { code?: string; message?: string } {
  const error = (json as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? error : {};
}

/** The API refused or failed a request; `status` is 0 when no answer came. */
export class TablehooksApiError extends Error {
  override readonly name = 'TablehooksApiError';

  constructor(
    readonly reason: ApiErrorReason,
    readonly status: number,
    message: string,
    /** The API's error code (`{"error": {"code"}}`), when it sent one. */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Fetches what a trigger points at from the tablehooks REST API.
 *
 * @example
 * const client = new TablehooksClient({ baseUrl: 'https://tablehooks.example.com', apiKey });
 * const booking = await client.getBooking('the-fish', 51918313);
 * console.log(booking.name, booking.num, booking.date);
 */
export class TablehooksClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  getBooking(facilityId: string, id: number): Promise<Booking> {
    return this.get(`/v1/facility/${encodeURIComponent(facilityId)}/bookings/${id}`);
  }

  getProductOrder(facilityId: string, id: number): Promise<ProductOrder> {
    return this.get(`/v1/facility/${encodeURIComponent(facilityId)}/productorders/${id}`);
  }

  /** The booking or order a trigger is about, as it is now (a `*_DELETED` one may be gone: 404). */
  fetchDetails(trigger: BookingTrigger): Promise<Booking>;
  fetchDetails(trigger: ProductOrderTrigger): Promise<ProductOrder>;
  fetchDetails(trigger: Trigger): Promise<Booking | ProductOrder>;
  fetchDetails(trigger: Trigger): Promise<Booking | ProductOrder> {
    return isBookingTrigger(trigger)
      ? this.getBooking(trigger.facility_id, trigger.id)
      : this.getProductOrder(trigger.facility_id, trigger.id);
  }

  private async get<T>(path: string): Promise<T> {
    const doFetch = this.options.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(`${this.baseUrl}${path}`, {
        headers: { 'Api-Key': this.options.apiKey, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new TablehooksApiError('network_error', 0, `GET ${path} failed: ${cause}`, undefined, {
        cause,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const reason = REASONS[res.status] ?? 'http_error';
      const error = apiErrorOf(json);
      const hint = HINTS[reason] ? ` (${HINTS[reason]})` : '';
      const said = error.message ?? text.slice(0, 200);
      const message = `GET ${path} answered ${res.status}: ${said}${hint}`;
      throw new TablehooksApiError(reason, res.status, message, error.code);
    }
    if (typeof json !== 'object' || json === null) {
      throw new TablehooksApiError('invalid_response', res.status, `GET ${path}: not JSON`);
    }
    return json as T;
  }
}
