// What the CLI prints: results on stdout (tables for people, `--json` for
// scripts), messages and progress on stderr. Progress is a bar on a terminal
// (cli-progress) and plain lines otherwise, so a log file or a pipe gets
// readable text instead of control characters.

import { Presets, SingleBar } from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

export interface Progress {
  /** `total`: the work expected (0 when unknown). */
  start(total: number): void;
  update(done: number): void;
  /** Ends the bar (or prints the last line). */
  stop(): void;
}

export interface Output {
  /** A line of results (stdout). */
  out(line: string): void;
  /** A message for the person at the terminal (stderr). */
  err(line: string): void;
  /** Whether stderr is a terminal (a progress bar can be drawn). */
  readonly isTTY: boolean;
}

export function processOutput(): Output {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** A progress display for `label`: a bar on a terminal, a line at most every `everyMs` otherwise. */
export function createProgress(label: string, output: Output, mode: ProgressMode, everyMs = 1_000): Progress {
  const chosen = mode === 'auto' ? (output.isTTY ? 'bar' : 'lines') : mode;
  switch (chosen) {
    case 'bar': {
      const bar = new SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          stream: process.stderr,
          // Drawn when asked for (--progress bar) even where stderr is not a terminal.
          noTTYOutput: !output.isTTY,
          notTTYSchedule: everyMs,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      return {
        start: (total) => bar.start(total, 0),
        update: (done) => bar.update(done),
        stop: () => bar.stop(),
      };
    }
    case 'lines': {
      let total = 0;
      let done = 0;
      let printedAt = 0;
      let printed = -1;
      const line = () => {
        printed = done;
        printedAt = Date.now();
        output.err(
          total > 0 ? `${label}: ${done}/${total} (${Math.floor((100 * done) / total)}%)` : `${label}: ${done}`,
        );
      };
      return {
        start: (expected) => {
          total = expected;
          line();
        },
        update: (now) => {
          done = now;
          if (Date.now() - printedAt >= everyMs) line();
        },
        stop: () => {
          if (printed !== done) line();
        },
      };
    }
    case 'off':
      return { start: () => {}, update: () => {}, stop: () => {} };
    default: {
      const unreachable: never = chosen;
      throw new Error(`unknown progress mode ${String(unreachable)}`);
    }
  }
}

/** Rows as aligned columns under a header; `-` for empty cells. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | null | undefined)[])[],
): string[] {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : cell))),
  ];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : (cell ?? '').padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}
