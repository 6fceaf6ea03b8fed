import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody } from '../errors.js';
import { fieldOf, messageOf } from './validation.js';

// Fastify's own 4xx errors, renamed into our table of codes.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send(errorBody(err.code, err.message, err.field));
    }
    const fe = err as FastifyError;
    if (fe.validation && fe.validation.length > 0) {
      const first = fe.validation[0]!;
      const field = fieldOf(first as never);
      const where = fe.validationContext === 'body' ? undefined : fe.validationContext;
      const message = messageOf(first as never, field);
      return reply
        .status(400)
        .send(errorBody('validation_failed', where ? `${where}: ${message}` : message, field));
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = fastifyCodes[fe.code] ?? (status === 404 ? 'not_found' : 'bad_request');
      return reply.status(status).send(errorBody(code, fe.message));
    }
    // 5xx: the client learns nothing about the internals; the log keeps the detail.
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
