// Every request's path is checked once, before any route sees it: a path that does not
// decode (a bad %-escape, bytes that are not UTF-8) or that decodes to a control character
// (NUL above all) is a 400 here. Without this, each route and plugin met such paths on its own
// (the UI's file lookup passed `/%00` to the file system and answered 500).
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../errors.js';

// C0 controls and DEL: no path of ours contains one, and file systems and logs treat them specially.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why this raw URL's path is refused, or undefined when it is fine. */
export function badPathReason(rawUrl: string): string | undefined {
  const query = rawUrl.indexOf('?');
  const path = query === -1 ? rawUrl : rawUrl.slice(0, query);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'the URL path is not valid (check its %-escapes and that they spell UTF-8)';
  }
  if (CONTROL.test(decoded)) return 'the URL path must not contain control characters';
  return undefined;
}

export function guardPaths(app: FastifyInstance): void {
  // onRequest runs before routing's handlers and every plugin's routes (/docs included).
  app.addHook('onRequest', (request, reply, done) => {
    const reason = badPathReason(request.raw.url ?? '/');
    if (reason) {
      reply.status(400).send(errorBody('bad_request', reason));
      return;
    }
    done();
  });
}
