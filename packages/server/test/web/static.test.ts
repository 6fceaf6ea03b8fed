// The settings UI at `/`: files, the single-page fallback, and what stays the API's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { webRoutes } from '../../src/web/static.routes.js';

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  installErrorHandler(app);
  app.get('/v1/facility', async () => ({ objects: [] }));
  await app.register(webRoutes(root));
  await app.ready();
  return app;
}

describe('the settings UI build', () => {
  let base: string;
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'tablehooks-web-'));
    dir = join(base, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(base, 'secret.txt'), 'nope');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>tablehooks UI</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = await appServing(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves index.html at / and for every page the app routes itself', async () => {
    for (const url of ['/', '/settings/integration/developers/webhooks', '/bookings?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('tablehooks UI');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache lifetime', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });

  it('leaves API, docs and ops paths and missing files to the JSON 404', async () => {
    for (const url of [
      '/v1/nope',
      '/v1',
      '/openapi.json',
      '/metrics',
      '/healthz',
      '/assets/gone.js',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect((await app.inject({ url: '/v1/facility' })).statusCode).toBe(200);
  });

  it('never serves a file from outside the build', async () => {
    for (const url of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('nope');
    }
  });

  it('serves a rebuilt UI without a restart', async () => {
    writeFileSync(join(dir, 'assets', 'index-new456.js'), 'console.log(2)');
    const res = await app.inject({ url: '/assets/index-new456.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log(2)');
  });

  it('says how to build the UI when there is no build', async () => {
    const bare = await appServing(join(dir, 'missing'));
    try {
      for (const url of ['/', '/settings']) {
        const res = await bare.inject({ url });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.body).toContain('npm run build');
      }
    } finally {
      await bare.close();
    }
  });
});
