/**
 * What must be undone when the process is stopped by a signal before the code that would
 * undo it gets to run: temporary folders, running helm process groups, a half-written
 * output file. Each piece of work registers its undo step while it is under way and
 * releases it when it has cleaned up by itself; the CLI's signal handlers (cli/signals.ts)
 * run whatever is still registered. Undo steps must be synchronous: the process exits
 * right after them.
 */
const pending = new Set<() => void>();

/** Registers `undo` until the returned release function is called. */
export function onInterrupt(undo: () => void): () => void {
  const entry = () => undo();
  pending.add(entry);
  return () => {
    pending.delete(entry);
  };
}

/** Runs every registered undo step, newest first, each at most once; errors are ignored. */
export function undoAll(): void {
  const steps = [...pending].reverse();
  pending.clear();
  for (const step of steps) {
    try {
      step();
    } catch {
      // Best effort: the process is going away, and one failed step must not stop the others.
    }
  }
}
