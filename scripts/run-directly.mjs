// Whether a script module is the one node was started with (`node scripts/x.mjs`), rather
// than imported (by tests); through symlinks too. (ensure-helm.mjs keeps its own copy: it
// runs, and is tested, as a lone file.)
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function isRunDirectly(moduleUrl) {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
