// Types only, imported by everything and importing nothing of ours that runs: what the
// runtime holds (AppDeps), the app's type, and what a route may declare in its config.
// A service says in its own signature which of these it needs (e.g. Pick<AppDeps, 'store'>),
// and only the runtime (runtime.ts) builds them.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { OperatorKey } from './auth/operator-key.js';
import type { SessionStore } from './auth/sessions.js';
import type { Clock, Random } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './db/dialect.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';
import type { DeliveryQueue } from './queue/queue.js';
import type { SecretBox } from './security/secret-box.js';
import type { LookupFn } from './security/ssrf.js';

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  random: Random;
  operatorKey: OperatorKey;
  /** Encrypts webhook passwords and signing secrets at rest. */
  secretBox: SecretBox;
  /** The delivery queue: the one way to write deliveries (and wake dispatchers). */
  queue: DeliveryQueue;
  /** DNS resolution for the SSRF check; tests inject a resolver. */
  lookup?: LookupFn;
  /** Cookie sessions for the UI (the login routes and the auth hook share this one). */
  sessions: SessionStore;
  /** True once shutdown began: /readyz turns 503 so load balancers drain us. */
  stopping: () => boolean;
  /** Prometheus metrics served at /metrics (one registry per process). */
  metrics?: Metrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
