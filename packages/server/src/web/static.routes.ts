// The settings UI (packages/web, built by Vite) at `/`. It is a single-page app: any GET
// that is not the API, the docs or an ops endpoint and not a file answers index.html, and
// the page routes itself. Without a build, `/` says how to make one instead of a bare 404.
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// src/web/ and dist/web/ both sit three levels below packages/.
export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const NOT_UI = /^\/(?:v1|docs|openapi\.json|healthz|readyz|metrics)(?:[/?.]|$)/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tablehooks</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>tablehooks</h1>
<p>The settings UI has not been built. Run <code>npm run build</code> (or <code>npm start</code>,
which builds it) in the project folder, then reload this page.</p>
<p>The API is up: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

// A path the file system refuses outright (too long, a NUL that slipped through) is no file.
const isFile = (path: string): boolean => {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
};

/** `root` is packages/web/dist unless a test points it elsewhere. */
export function webRoutes(root: string = WEB_DIST) {
  return async function staticRoutes(app: FastifyInstance): Promise<void> {
    // Only reply.sendFile (safe paths, ETags, ranges); which file is decided below, on every
    // request, so a rebuild of the UI is served without a restart.
    await app.register(fastifyStatic, { root, serve: false, cacheControl: false });

    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (NOT_UI.test(path)) return reply.callNotFound();
      let file: string;
      try {
        file = resolve(root, `.${decodeURIComponent(path)}`);
      } catch {
        return reply.callNotFound();
      }
      if (file.startsWith(root + sep) && isFile(file)) {
        // Vite puts a content hash in every asset name, so those can be cached for good.
        const immutable = path.startsWith('/assets/');
        reply.header(
          'cache-control',
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        return reply.sendFile(relative(root, file));
      }
      // A missing file (it has an extension) is a 404, not a page that fails to parse as a script.
      if (path.slice(path.lastIndexOf('/') + 1).includes('.')) return reply.callNotFound();
      if (!isFile(join(root, 'index.html'))) {
        return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  };
}
