/**
 * One full garbage collection on request, around the parse of a large file (manifests.ts).
 * After it: js-yaml parses a copy of its input (it appends "\0"), and the parsed values keep
 * that copy alive; the text chartguard read is garbage once the parse is over. V8 frees it
 * only at its next full collection, which on a huge dump can come after the whole analysis
 * has been allocated on top of it: the peak then holds the file's text twice. Collecting
 * right after the parse keeps it once. Before it: see COLLECT_BEFORE_PARSE_CHARS.
 *
 * Node offers no API for this: `--expose-gc`, set at run time, gives `gc` to contexts made
 * afterwards (as the `expose-gc` package does). Where that fails, nothing is collected
 * early and nothing else changes.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      const exposed: unknown = runInNewContext("gc");
      gc = typeof exposed === "function" ? (exposed as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
