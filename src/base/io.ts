import type { UtcOffset } from './time.js';

/**
 * Everything the CLI takes from the process it runs in, handed in by the entry: tests pass their
 * own (captured streams, a fixed clock, a chosen terminal) and run the whole CLI in-process.
 */
export interface OutputStream {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
}

export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Wall-clock time in ms since the epoch: what "today" is. */
  now(): number;
  /** A monotonic clock in ms, for durations (timeouts, the run's deadline, retries): a pinned `now` does not stop them. */
  timer(): number;
  /** The user's home directory, where the credentials and cache folders are when XDG_* does not say. */
  home: string;
  /** Minutes the reader's time zone is ahead of UTC at a moment: when "today" ends on their clock. */
  utcOffset: UtcOffset;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  /** Terminal width in columns; undefined when unknown or piped. */
  columns: number | undefined;
  /** Aborted when the user asks the run to stop (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Colour depth stdout takes (0 to 3), as the entry detected it; --no-color and NO_COLOR still turn it off. Asked only by the formats that colour. */
  colorLevel(): Promise<number>;
  /** The user's id, for refusing a cache directory someone else controls; undefined where there is none. */
  uid?: number | undefined;
  /**
   * Set by the entry (src/edge.ts): the run's redactor, which every write above already goes
   * through. A command adds the keys it resolves from files; JSON output redacts its strings with it.
   */
  redaction?: Redaction | undefined;
}

/** Resolves once the text has been handed to the stream, so the exit code follows the output. */
export function writeOut(stream: OutputStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** The terminal's width: io's, else a sane `COLUMNS` from the environment; undefined when neither says. */
export function terminalWidth(io: Pick<Io, 'columns' | 'env'>): number | undefined {
  if (io.columns !== undefined && io.columns > 0) return io.columns;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 && columns <= 1000 ? columns : undefined;
}

export type Redactor = (text: string) => string;

/** This run's redactor, and the way to teach it the keys a command finds after the run began. */
export interface Redaction {
  add(keys: readonly (string | undefined)[]): void;
  redact: Redactor;
}
