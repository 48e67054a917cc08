#!/usr/bin/env node
/**
 * The command's entry: the signal handlers first, then the render a `check` of one chart
 * will ask for (prestart.ts), and only then the rest of chartguard (program.ts), which
 * loads while helm renders.
 */
import { discardEarlyRenders } from "../render/helm.ts";
import { prestartCheck } from "./prestart.ts";
import { handleClosedStdout, handleSignals } from "./signals.ts";

handleSignals();
handleClosedStdout();
const argv = process.argv.slice(2);
await prestartCheck(argv);
try {
  const { run } = await import("./program.ts");
  process.exitCode = await run(argv);
} finally {
  discardEarlyRenders();
}
