// npm run build: the library with its types (tsc, into dist/) and the command line (esbuild,
// into dist/cli/: see buildCli in bundle.mjs).
//
//   node scripts/build.mjs [--out-dir DIR]     default dist
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildCli } from "./bundle.mjs";
import { isRunDirectly } from "./run-directly.mjs";

const PROJECT_ROOT = resolve(import.meta.dirname, "..");

/** Builds into `outDir`; throws with tsc's output when it reports errors. */
export async function buildInto(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--outDir", outDir], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  await buildCli(join(outDir, "cli"));
}

if (isRunDirectly(import.meta.url)) {
  const at = process.argv.indexOf("--out-dir");
  try {
    await buildInto(resolve(at === -1 ? join(PROJECT_ROOT, "dist") : process.argv[at + 1]));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
