import type { Outcome } from '../dispatcher/sender.js';

// The sender's error classes (see dispatcher/sender.ts), plus http_4xx / http_5xx for answers:
// a closed set, so a label value can never carry a URL, a message or a response body.
const KNOWN = new Set([
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns',
  'tls',
  'redirect',
  'ssrf_blocked',
  'invalid_response',
  'network',
]);

export function attemptErrorLabel(o: Pick<Outcome, 'errorClass' | 'statusCode'>): string {
  if (o.errorClass === 'http_status' && o.statusCode !== null) {
    const family = Math.floor(o.statusCode / 100);
    return family >= 1 && family <= 5 ? `http_${family}xx` : 'http_other';
  }
  return o.errorClass !== null && KNOWN.has(o.errorClass) ? o.errorClass : 'other';
}
