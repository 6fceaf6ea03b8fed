import { Writable } from 'node:stream';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from '../src/logger.js';
import { createHarness, type Harness } from './support/harness.js';
import { describeEachDialect } from './support/stores.js';

describeEachDialect('the HTTP app', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('answers /healthz with 200', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports ready when the database answers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: dialect });
  });

  it('serves a valid OpenAPI 3 document and a browsable /docs page', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers an unknown route with a JSON 404 in the error format', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /v1/nothing-here' },
    });
  });
});

describeEachDialect('readiness', (dialect) => {
  it('answers 503 when the database is gone, instead of hanging or crashing', async () => {
    const h = await createHarness(dialect);
    // Dropping the database (PostgreSQL terminates our connections) or deleting the file.
    await h.store.drop();
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unready' });
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    await h.app.close();
  });

  it('answers 503 once shutdown began, so load balancers drain the process', async () => {
    const h = await createHarness(dialect);
    const closing = h.close();
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    await closing;
    expect(res.statusCode).toBe(503);
  });
});

describe('request loggers', () => {
  const capture = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { logger: createLogger(level, sink), lines };
  };

  it('writes what a child logger would, with the request id, and only at enabled levels', () => {
    const { logger, lines } = capture('warn');
    const log = requestLogger(logger, { reqId: 'r-1' }, {});
    log.info('not at warn');
    log.debug({ detail: 1 }, 'nor this');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    log.error({ err: new Error('boom'), password: 'hunter2' }, 'request failed');
    log.child({ part: 'x' }).warn('from a grandchild');
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['r-1', 'request failed'],
      ['r-1', 'from a grandchild'],
    ]);
    expect(lines[0]!.password).toBe('[redacted]');
    expect(lines[1]!.part).toBe('x');
  });

  it('follows a level set on the request logger itself', () => {
    const { logger, lines } = capture('warn');
    const log = requestLogger(logger, { reqId: 'r-2' }, {});
    log.level = 'debug';
    log.debug('now visible');
    logger.debug('the parent stays at warn');
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([['r-2', 'now visible']]);
  });

  it('makes an ordinary child when the route asks for its own level', () => {
    const { logger, lines } = capture('warn');
    const log = requestLogger(logger, { reqId: 'r-3' }, { level: 'info' });
    log.info('route at info');
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([['r-3', 'route at info']]);
  });
});
