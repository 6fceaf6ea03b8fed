import pino, { type Logger } from 'pino';

// Secrets must never reach a log line (DESIGN.md "Security"). Request logging only prints
// method and URL, but anything that logs an object with these keys is censored too.
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'secret', 'apiKey', 'key', 'token', 'signing_secret'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
    `*.*.*.${k}`,
  ]),
  'headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' } }, destination);
}

export type { Logger };
