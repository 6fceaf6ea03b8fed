// Queries on the request path, built once. Kysely builds and compiles a query anew on every
// call: on `POST …/bookings` that was more CPU than running the SQL (docs/performance.md).
// A hot query whose shape never changes is built once per dialect, with a marker in place of
// each named parameter, and from then on only its parameters are filled in. The SQL is still
// Kysely's (typed, one text for both stores), and always the same text for the same query.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { registerPrepared } from './pg-prepared.js';
import type { Database } from './schema.js';

type Params = Record<string, unknown>;

interface Template {
  compiled: CompiledQuery;
  /** For each SQL parameter: the name of ours it takes, or undefined for a constant. */
  names: (string | undefined)[];
}

export interface HotQuery<P extends Params, R> {
  /** Runs on `db`, or in a transaction when given one. Every parameter must be defined. */
  execute(db: Kysely<Database>, params: P): Promise<R[]>;
}

const MARK = '\u0000hot:';

/**
 * `build` is called once per dialect with a stand-in for `params` whose every field is a
 * marker; it may only pass those fields on as values (never inspect or combine them), and
 * must not branch on them: the shape of the query may not depend on the parameters.
 */
export function hotQuery<P extends Params, R>(
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
): HotQuery<P, R> {
  // Keyed by the dialect's adapter, which a transaction shares with its Kysely instance.
  const templates = new WeakMap<object, Template>();

  function templateFor(db: Kysely<Database>): Template {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compileTemplate(db, build);
      templates.set(adapter, template);
    }
    return template;
  }

  return {
    async execute(db, params) {
      // A plugin rewrites each query before it is compiled, which a template would skip:
      // with plugins (tests that record every query's shape), build it afresh each time.
      if (db.getExecutor().plugins.length > 0) {
        for (const [name, value] of Object.entries(params)) {
          if (value === undefined) throw new Error(`hot query: parameter ${name} is undefined`);
        }
        return (await db.executeQuery<R>(build(db, params))).rows;
      }
      const { compiled, names } = templateFor(db);
      const parameters = compiled.parameters.slice();
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (name === undefined) continue;
        const value = params[name];
        // Kysely would drop an undefined column from an insert; a template can't.
        if (value === undefined) throw new Error(`hot query: parameter ${name} is undefined`);
        parameters[i] = value;
      }
      const result = await db.getExecutor().executeQuery<R>({ ...compiled, parameters });
      return result.rows;
    },
  };
}

function compileTemplate<P extends Params>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, params: P) => Compilable<unknown>,
): Template {
  const markers = new Proxy({} as P, {
    get: (_target, name) => (typeof name === 'string' ? `${MARK}${name}` : undefined),
    // `values(params)` would see no columns at all: each parameter must be named.
    ownKeys: () => {
      throw new Error('hot query: pass each parameter by name, not the whole object');
    },
  });
  const compiled = build(db, markers).compile();
  const names = compiled.parameters.map((value) => {
    if (typeof value !== 'string' || !value.includes(MARK)) return undefined;
    if (!value.startsWith(MARK)) throw new Error('hot query: a parameter was altered while built');
    return value.slice(MARK.length);
  });
  // Its text never changes: PostgreSQL may keep it parsed and planned (pg-prepared.ts).
  registerPrepared(compiled.sql);
  return { compiled, names };
}
