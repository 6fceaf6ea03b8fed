// One table of error codes and their HTTP status. Every error a client sees has the shape
// {"error": {"code", "message", "field"?, "fields"?}}: `field` and `message` name the first
// problem (older clients read only those); a validation error also lists every field's
// problem in `fields`, so a form can flag them all at once.
export const errorStatus = {
  validation_failed: 400,
  invalid_json: 400,
  /** A request refused before routing: a malformed path, a bad header the framework reads. */
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  premium_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface AppErrorOptions extends ErrorOptions {
  /** Sent as Retry-After (a 429 or 503 that knows when to come back). */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: AppErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = errorStatus[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export interface FieldProblem {
  field?: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string; fields?: FieldProblem[] };
}

export function errorBody(
  code: string,
  message: string,
  field?: string,
  fields?: FieldProblem[],
): ErrorBody {
  const error: ErrorBody['error'] =
    field === undefined ? { code, message } : { code, message, field };
  // A validation error always lists its fields, even when a service found the one problem.
  if (fields) error.fields = fields;
  else if (code === 'validation_failed')
    error.fields = [field === undefined ? { message } : { field, message }];
  return { error };
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
