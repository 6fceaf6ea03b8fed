// Human output (aligned tables, key/value blocks) by default, JSON with --json. Data goes
// to stdout; notes and progress go to stderr, so `--json | jq` always parses.

export type Column<T> = [header: string, cell: (row: T) => unknown];

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, cell]) => text(cell(row))));
  const headers = columns.map(([h]) => h);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

export function keyValues(entries: readonly [string, unknown][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return `${entries.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${text(v)}`).join('\n')}\n`;
}

export interface Output {
  readonly json: boolean;
  /** `value` as JSON with --json, else what `human` renders. */
  result(value: unknown, human: () => string): void;
  /** A note for people, on stderr (also under --json). */
  note(message: string): void;
  progress(label: string): Progress;
}

export interface Progress {
  update(done: number, total: number): void;
  end(summary?: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
    },
    note(message) {
      process.stderr.write(`${message}\n`);
    },
    progress: (label) => progressOn(process.stderr, label),
  };
}

/** On a terminal one line redrawn in place; in a pipe or log, a line at most every 10%. */
export function progressOn(stream: NodeJS.WriteStream, label: string): Progress {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      const line = `${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${pct}%)`;
      if (tty) {
        stream.write(`\r${line}\u001b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(pct / 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`${line}\n`);
    },
    end(summary) {
      if (drawn) stream.write('\n');
      if (summary) stream.write(`${summary}\n`);
    },
  };
}
