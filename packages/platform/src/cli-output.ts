/** How operator commands print: a table or lines for people, JSON on stdout with `--json`; progress always on stderr. */
export interface Output {
  readonly json: boolean;
  /** A result: `value` as JSON with `--json`, else the text `human()` makes. */
  result(value: unknown, human: () => string): void;
  /** A note for people (stderr), never part of `--json` output. */
  note(text: string): void;
  progress(total: number, label: string): Progress;
}

export interface Progress {
  update(done: number): void;
  done(): void;
}

export interface Streams {
  stdout: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
  stderr: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

export function output(json: boolean, streams: Streams): Output {
  return {
    json,
    result(value, human) {
      streams.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human());
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    progress: (total, label) => (streams.stderr.isTTY ? barProgress(streams.stderr, total, label) : lineProgress(streams.stderr, total, label)),
  };
}

/** On a terminal: one line redrawn in place, `[#####-----] 500/1000 rows imported`. */
function barProgress(stream: Streams['stderr'], total: number, label: string): Progress {
  const width = Math.max(10, Math.min(40, ((stream as { columns?: number }).columns ?? 80) - 40));
  const draw = (done: number) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`);
  };
  draw(0);
  return {
    update: draw,
    done: () => stream.write('\n'),
  };
}

/** In a log or a pipe: a plain line per step, no control characters. */
function lineProgress(stream: Streams['stderr'], total: number, label: string): Progress {
  return {
    update: (done) => stream.write(`${done}/${total} ${label}\n`),
    done: () => {},
  };
}

/** Columns padded to their widest cell; null and undefined print as `-`. */
export function table(headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((v) => (v === null || v === undefined || v === '' ? '-' : String(v))))];
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}

/** `key: value` lines for one object's chosen fields. */
export function fields(pairs: [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n') + '\n';
}
