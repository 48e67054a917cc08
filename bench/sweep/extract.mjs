// Extracts the newest commit of each fetched repository mirror into a plain folder tree, so
// the sweep reads charts as a user's checkout would have them.
// Usage: node bench/sweep/extract.mjs --mirrors /work/.mirror --into /work/charts
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gitDir, markCheckout } from "./common.mjs";

const { values } = parseArgs({
  options: { mirrors: { type: "string", default: "/work/.mirror" }, into: { type: "string", default: "/work/charts" } },
});

for (const name of readdirSync(values.mirrors).sort()) {
  const mirror = join(values.mirrors, name);
  const git = gitDir(mirror);
  if (git === undefined) continue;
  const target = join(values.into, name);
  if (existsSync(target)) {
    markCheckout(target);
    console.log(`${name}: present, kept`);
    continue;
  }
  // Extract beside the target and rename, so an interrupted run never leaves a half tree
  // that a later run would take as present.
  const partial = `${target}.part`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync("bash", ["-c", 'git --git-dir="$1" archive HEAD | tar -x -C "$2"', "extract", git, partial], {
    stdio: "inherit",
  });
  renameSync(partial, target);
  markCheckout(target);
  console.log(`${name}: extracted`);
}
