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
  constructor(private readonly dialect: DialectProfile['name']) {}

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
