import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorBody } from '../errors.js';
import { documentedHeaderName } from './header-names.js';
import { plainErrors } from './plain-errors.js';

// Fastify's own 4xx errors, renamed into our table of codes.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

// Connection-level failures: PostgreSQL shutting down or starting (57P01-57P03), the
// connection classes (08…), a socket that could not connect or broke, SQLite locked out.
const UNREACHABLE = /^(57P0[123]|08\d\d\d|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|SQLITE_BUSY)$/;
const UNREACHABLE_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect/;

function databaseUnreachable(err: unknown): boolean {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNREACHABLE.test(e.code)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      // A 429 or 503 that knows when to come back says so.
      if (err.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(err.retryAfterSeconds));
      }
      return reply.status(err.status).send(errorBody(err.code, err.message, err.field));
    }
    const fe = err as FastifyError;
    if (fe.validation && fe.validation.length > 0) {
      const where = fe.validationContext === 'body' ? undefined : fe.validationContext;
      const fields = plainErrors(fe.validation as never).map(({ field, message }) => {
        const named =
          fe.validationContext === 'headers' && field !== undefined
            ? documentedHeaderName(request, field)
            : field;
        const said = where ? `${where}: ${message}` : message;
        return named === undefined ? { message: said } : { field: named, message: said };
      });
      const first = fields[0]!;
      return reply
        .status(400)
        .send(errorBody('validation_failed', first.message, first.field, fields));
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = fastifyCodes[fe.code] ?? (status === 404 ? 'not_found' : 'bad_request');
      return reply.status(status).send(errorBody(code, fe.message));
    }
    // 5xx: the client learns nothing about the internals; the log keeps the detail.
    request.log.error({ err }, 'request failed');
    if (databaseUnreachable(err)) {
      // Not a bug of ours nor of the request: the same request will work once the database
      // is back (a restart, a failover), so say so, and when to try again.
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(errorBody('unavailable', 'the database is unavailable; try again shortly'));
    }
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      // The path is echoed to help a client spot a typo, but only its start: a URL can be
      // megabytes long, and an answer should not mirror whatever it is sent.
      .send(
        errorBody(
          'not_found',
          `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
        ),
      );
  });
}

/**
 * Fastify's own errors about the URL itself (a bad %-escape, a path segment over the
 * router's length limit) never reach the error handler; this gives them our shape, and
 * keeps the URL, which may be megabytes long, out of the answer.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a part of the URL path is too long'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the URL path is not valid (check its %-escapes)'
        : 'the request is not valid';
  void reply.status(status).send(errorBody('bad_request', message));
}
