// The one way the UI talks to the server: the public REST API, with the session cookie
// (sent by the browser, never readable here) and the CSRF token on every state change.

/** A field's problem, in words for people (the server says them plainly). */
export interface FieldProblem {
  field?: string;
  message: string;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string; field?: string; fields?: FieldProblem[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input field at fault, as the API names it ("url", "items.0.quantity"). */
    readonly field?: string,
    readonly retryAfter?: number,
    /** Every field's problem at once (a validation error); the first is `field`/`message`. */
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface List<T> {
  objects: T[];
  meta: { limit: number; offset: number; total_count: number };
}

let csrfToken: string | undefined;
let onExpired: ((message: string) => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API answers 401 to a logged-in page: the session ended. */
export function onSessionExpired(handler: (message: string) => void): void {
  onExpired = handler;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // Fastify refuses an empty body declared as JSON, so the header goes only with a body.
  const payload = method === 'POST' && body === undefined ? {} : body;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection.');
  }
  if (res.status === 204) return undefined as T;
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as ApiErrorBody | undefined)?.error ?? {};
    const retry = Number(res.headers.get('retry-after') ?? '');
    const err = new ApiError(
      res.status,
      e.code ?? 'error',
      e.message ?? `The server answered ${res.status}.`,
      e.field,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
      Array.isArray(e.fields) ? e.fields : [],
    );
    if (res.status === 401 && path !== '/v1/session') onExpired?.(err.message);
    throw err;
  }
  return json as T;
}

/** A message for people, from whatever went wrong. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return sentence(err.message);
  return 'Something went wrong. Please try again.';
}

export const sentence = (text: string): string => {
  const t = text.trim();
  if (!t) return t;
  const s = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
};
