// Exit codes a script can branch on, and how errors from below map onto them.
import { ConfigError } from '../config.js';
import { AppError, type ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  /** Anything unexpected; the message says what. */
  failure: 1,
  /** Bad arguments or configuration: fix the command line or the environment. */
  usage: 2,
  /** The facility, webhook, delivery or key does not exist. */
  notFound: 3,
  /** Refused as things stand: it already exists, the plan or state doesn't allow it. */
  refused: 4,
  /** The database can't be reached. */
  unavailable: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

const byAppCode: Partial<Record<ErrorCode, number>> = {
  validation_failed: EXIT.usage,
  invalid_json: EXIT.usage,
  unprocessable: EXIT.usage,
  not_found: EXIT.notFound,
  conflict: EXIT.refused,
  premium_required: EXIT.refused,
  forbidden: EXIT.refused,
  unavailable: EXIT.unavailable,
};

// Error codes of a database that is down or unreachable (node-pg, libpq, the OS).
const UNREACHABLE =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|57P0[1-3]|08\d\d\d|3D000|28P01|28000)$/;

function codeOf(err: unknown): string {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return '';
}

export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError) {
    return { message: `invalid configuration: ${err.message}`, exitCode: EXIT.usage };
  }
  if (err instanceof AppError) {
    const field = err.field ? ` (${err.field})` : '';
    return { message: `${err.message}${field}`, exitCode: byAppCode[err.code] ?? EXIT.failure };
  }
  if (UNREACHABLE.test(codeOf(err))) {
    return {
      message: `cannot reach the database: ${(err as Error).message}`,
      exitCode: EXIT.unavailable,
    };
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { message, exitCode: EXIT.failure };
}
