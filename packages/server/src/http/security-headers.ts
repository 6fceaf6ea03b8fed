// Security headers on every answer (helmet). The UI is a Vite build with no inline
// script or style, so the policy allows this origin's own files and nothing else; nobody may
// frame a page of ours (clickjacking the settings UI); browsers must not guess types; links
// carry no Referer (a URL of ours names a facility and its webhooks).
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  // Helmet's default would turn every request of a page served over plain http (the
  // embedded default, http://127.0.0.1:3000) into https, and break it.
  'upgrade-insecure-requests': null,
};

const policy = (d: Record<string, string[] | null>): string =>
  Object.entries(d)
    .filter((entry): entry is [string, string[]] => entry[1] !== null)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');

// Swagger UI (/docs) adds <style> elements at run time; its scripts are files like ours.
// Inline styles are allowed there and only there.
const DOCS_POLICY = policy({ ...directives, 'style-src': ["'self'", "'unsafe-inline'"] });

// Built once. @fastify/helmet called helmet(options) on every request — checking the options
// and parsing the policy anew each time: 2% of the main thread at 1,000 bookings/s
// (docs/performance.md). The middleware it builds only sets the headers.
const headers = helmet({
  contentSecurityPolicy: { useDefaults: false, directives },
  referrerPolicy: { policy: 'no-referrer' },
  // The same as frame-ancestors 'none', for browsers that predate it.
  xFrameOptions: { action: 'deny' },
  // Only honoured over https (behind a TLS proxy); not for other sites on the same domain.
  strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  // The API and UI are same-origin only; integrators call server to server.
  crossOriginResourcePolicy: { policy: 'same-origin' },
});

export async function securityHeaders(app: FastifyInstance): Promise<void> {
  // On the raw response before any route runs, as @fastify/helmet did: every answer has
  // them, a 404 and an error included.
  app.addHook('onRequest', (request, reply, done) => {
    headers(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const url = request.raw.url ?? '';
    if (url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?')) {
      reply.header('content-security-policy', DOCS_POLICY);
    }
    done(null, payload);
  });
}
