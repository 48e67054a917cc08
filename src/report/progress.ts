/**
 * A one-line progress indicator on stderr for long runs (many charts, probe renders).
 * It is shown only when the CLI turned it on (text output) and stderr is a terminal:
 * never in machine-readable output, never in a pipe or a CI log, never for library
 * callers that did not ask. Otherwise every call is a no-op, so render loops can call it
 * unconditionally:
 *
 *   const progress = createProgress(charts.length, "rendering charts");
 *   for (const chart of charts) { await render(chart); progress.tick(chart.path); }
 *   progress.done();
 */
import { visible as withVisibleControls } from "./visible.ts";

export interface Progress {
  /** One unit of work finished; `detail` (e.g. the chart) is shown after the count. */
  tick(detail?: string): void;
  /** Removes the line. Safe to call more than once. */
  done(): void;
}

/** What progress writes to: stderr, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Overrides the global setting (tests). */
  enabled?: boolean;
  /** Show nothing for runs shorter than this (default 300 ms): short runs should not flicker. */
  delayMs?: number;
  /** Redraw at most this often (default 100 ms). */
  intervalMs?: number;
  now?: () => number;
}

const NOOP: Progress = { tick: () => undefined, done: () => undefined };

let globallyEnabled = false;
let globalStream: ProgressStream = process.stderr;
let globalTiming: Pick<ProgressOptions, "delayMs" | "intervalMs"> = {};
let visible: ProgressStream | undefined;

/**
 * Called by the CLI once it knows the output format: progress is allowed for the text
 * format only, and then only when the stream (stderr) is a terminal.
 */
export function configureProgress(options: { format: string; stream?: ProgressStream } & Pick<ProgressOptions, "delayMs" | "intervalMs">): void {
  globalStream = options.stream ?? process.stderr;
  globallyEnabled = options.format === "text" && globalStream.isTTY === true;
  globalTiming = { ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }), ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }) };
}

export function progressEnabled(): boolean {
  return globallyEnabled;
}

const CLEAR = "\r\u001b[K";

export function createProgress(total: number, label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? globalStream;
  const enabled = options.enabled ?? globallyEnabled;
  if (!enabled || stream.isTTY !== true) return NOOP;
  const now = options.now ?? Date.now;
  const start = now();
  const delay = options.delayMs ?? globalTiming.delayMs ?? 300;
  const interval = options.intervalMs ?? globalTiming.intervalMs ?? 100;
  let count = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;

  const draw = (detail: string | undefined) => {
    const counter = total > 0 ? `${Math.min(count, total)}/${total}` : `${count}`;
    let line = `${label} ${counter}${detail ? ` ${withVisibleControls(detail)}` : ""}`;
    const width = (stream.columns ?? 80) - 1;
    if (line.length > width) line = `${line.slice(0, Math.max(0, width - 1))}…`;
    stream.write(`${CLEAR}${line}`);
    drawn = true;
    visible = stream;
  };

  return {
    tick(detail) {
      if (finished) return;
      count++;
      const t = now();
      if (t - start < delay || t - lastDraw < interval) return;
      lastDraw = t;
      draw(detail);
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) {
        stream.write(CLEAR);
        if (visible === stream) visible = undefined;
      }
    },
  };
}

// An error that ends the run mid-way must not leave a half line before its message.
process.on("exit", () => {
  if (visible) visible.write(CLEAR);
});
