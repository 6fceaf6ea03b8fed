#!/usr/bin/env node
// @ts-check
// Run: TABLEHOOKS_URL=… TABLEHOOKS_API_KEY=… WEBHOOK_USERNAME=… WEBHOOK_PASSWORD=… \
//      WEBHOOK_SECRET=whsec_… PORT=8080 node src/main.js
import { createServer } from 'node:http';
import { TablehooksClient } from '@tablehooks/receiver';
import { createConsumer } from './consumer.js';

/** @type {string[]} */
const missing = [];
/** @param {string} name */
function setting(name) {
  const value = process.env[name];
  if (!value) missing.push(name);
  return value ?? '';
}

const options = {
  username: setting('WEBHOOK_USERNAME'),
  password: setting('WEBHOOK_PASSWORD'),
  secret: setting('WEBHOOK_SECRET'),
  client: new TablehooksClient({
    baseUrl: setting('TABLEHOOKS_URL'),
    apiKey: setting('TABLEHOOKS_API_KEY'),
  }),
};
const port = Number(process.env.PORT ?? 8080);
if (missing.length > 0) {
  console.error(`missing environment: ${missing.join(', ')}`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT is not a port number: ${process.env.PORT}`);
  process.exit(2);
}

const server = createServer(createConsumer(options));
// HOST=0.0.0.0 to be reachable from another machine.
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`listening on http://${address.address}:${address.port}/`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
