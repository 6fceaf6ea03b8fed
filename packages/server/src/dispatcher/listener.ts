// LISTEN on PostgreSQL: a commit in any process (an API on another machine) wakes this
// dispatcher at once. The connection is kept apart from the pool and re-opened when it drops
// (a database restart); after a reconnect we wake anyway, since notifications were missed.
import pg from 'pg';
import { WAKE_CHANNEL } from '../db/dialect.js';
import type { Logger } from '../logger.js';

export interface Listener {
  close(): Promise<void>;
}

export function listenForWakeups(
  databaseUrl: string,
  onWake: () => void,
  logger: Logger,
): Listener {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    c.on('notification', () => onWake());
    c.on('error', (err) => {
      logger.warn({ err: err.message }, 'dispatcher: LISTEN connection lost; reconnecting');
      void c.end().catch(() => {});
      reconnect();
    });
    try {
      await c.connect();
      await c.query(`listen ${WAKE_CHANNEL}`);
      retryMs = 250;
      onWake();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'dispatcher: cannot LISTEN yet; retrying');
      void c.end().catch(() => {});
      reconnect();
    }
  };

  const reconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 5_000);
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
