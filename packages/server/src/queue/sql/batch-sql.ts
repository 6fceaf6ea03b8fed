// Batch statements as text and parameters, in each store's own placeholder spelling.
import { CompiledQuery } from 'kysely';
import type { DialectProfile } from '../../db/dialect.js';

// Batch statements go to the driver as text and parameters. Built with Kysely's
// `sql` template, every value of a 256-row VALUES list became an operation node to create,
// freeze and compile again each batch: ~5% of the dispatcher's CPU (profiled with
// `npm run bench -- --cpu-prof`). Joining strings costs next to nothing.

/** Collects parameters and answers each one's placeholder in the store's own spelling. */
export class Params {
  readonly values: unknown[] = [];
  constructor(readonly dialect: DialectProfile['name']) {}

  add(value: unknown): string {
    this.values.push(value);
    return this.dialect === 'postgres' ? `$${this.values.length}` : '?';
  }

  query<R>(text: string): CompiledQuery<R> {
    return CompiledQuery.raw(text, this.values) as CompiledQuery<R>;
  }
}

/**
 * A VALUES list whose first row casts each column, so PostgreSQL types the parameters
 * (SQLite ignores the casts' types beyond affinity). `cast(… as …)` reads the same in both.
 */
export function valuesList(
  p: Params,
  rows: readonly unknown[][],
  types: readonly string[],
): string {
  const out: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let text = '(';
    for (let c = 0; c < row.length; c++) {
      if (c > 0) text += ', ';
      text += r === 0 ? `cast(${p.add(row[c])} as ${types[c]})` : p.add(row[c]);
    }
    out[r] = `${text})`;
  }
  return out.join(', ');
}

/**
 * The rows as a table for a CTE (`v (a, b) as (${rowsTable(…)})`). PostgreSQL: a VALUES
 * list. SQLite: one JSON parameter read by `json_each`, so the statement's text is the same
 * for any number of rows and its prepared statement is reused (statement-cache.ts), where a
 * VALUES list of N rows was a new text for each N, past the cache's size limit for a big
 * batch, and prepared again every time: 6% of the dispatcher's main thread in a one-webhook
 * drain (docs/performance.md, seventh pass). Rows must hold JSON's values: strings, finite
 * numbers and null.
 */
export function rowsTable(p: Params, rows: readonly unknown[][], types: readonly string[]): string {
  if (p.dialect === 'postgres') return `values ${valuesList(p, rows, types)}`;
  let columns = '';
  for (let c = 0; c < types.length; c++) {
    columns += `${c > 0 ? ', ' : ''}cast(value ->> ${c} as ${types[c]})`;
  }
  return `select ${columns} from json_each(${p.add(JSON.stringify(rows))})`;
}
