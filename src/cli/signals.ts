/**
 * SIGINT (Ctrl-C), SIGTERM (CI cancelling a job) and SIGHUP (terminal closed) mid-run:
 * kill the helm processes still running, remove the temporary folders and any output file
 * not yet complete (everything registered with interrupt.ts), say so in one line, and exit
 * with 128 + the signal number (130, 143, 129), as shells report a process a signal
 * stopped. These codes, not 2, tell a script that the run was interrupted rather than
 * refused: the input may be fine.
 *
 * A second signal while cleaning up exits at once.
 */
import { undoAll } from "../interrupt.ts";

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

let installed = false;

export function handleSignals(): void {
  if (installed) return;
  installed = true;
  let stopping = false;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.on(signal, () => {
      if (stopping) process.exit(code);
      stopping = true;
      undoAll();
      process.stderr.write(`chartguard: interrupted by ${signal}; no report was produced\n`);
      process.exit(code);
    });
  }
}

/**
 * A reader that stops early (`chartguard check . | head`) closes the pipe: the report has
 * nowhere to go, so stop quietly, as command-line tools do, instead of a stack trace.
 */
export function handleClosedStdout(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    undoAll();
    process.exit(process.exitCode ?? 0);
  });
}
