// Named prepared statements on PostgreSQL for the queries whose text never changes (those
// built by hot-query.ts). pg sends an unnamed statement as Parse + Bind + Execute, and
// PostgreSQL parses and plans it anew every time; a named one is parsed once per connection
// and then only bound and executed, and after a few executions PostgreSQL keeps a generic
// plan. On the request path of a booking that is the server's CPU for parsing and planning
// five statements, on a machine whose cores the API, the dispatcher and PostgreSQL share.
//
// Only texts that were registered are named: a query whose text varies (a VALUES list sized
// by its batch) would leave one prepared statement per size on every connection, for ever.
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

const names = new Map<string, string>();

/** Marks a statement's text as fixed: on PostgreSQL it runs as a named prepared statement. */
export function registerPrepared(text: string): void {
  if (names.has(text)) return;
  const digest = createHash('sha256').update(text).digest('base64url').slice(0, 20);
  names.set(text, `th_${digest}`);
}

/**
 * A pool for Kysely's PostgresDialect that runs registered texts as named statements and
 * everything else as before. One wrapper per pg client, so Kysely (which keys its
 * connections by client) sees the same object each time the client comes back.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      // A statement prepared before another process's migration changed its table may fail
      // with "cached plan must not change result type" (0A000): that connection's prepared
      // statements are stale, so it is closed instead of going back to the pool.
      let stale = false;
      wrapper = {
        query: ((text: unknown, values?: readonly unknown[]) => {
          if (typeof text !== 'string') return client.query(text as never);
          const name = names.get(text);
          if (!name) return client.query(text, values as unknown[]);
          return client
            .query({ name, text, values: values as unknown[] })
            .catch((err: { code?: string }) => {
              if (err?.code === '0A000') stale = true;
              throw err;
            });
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          if (stale) wrappers.delete(client);
          client.release(destroy || stale);
        },
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
