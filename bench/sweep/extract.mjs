// Extracts the newest commit of each fetched repository mirror into a plain folder tree, so
// the sweep reads charts as a user's checkout would have them.
// Usage: node bench/sweep/extract.mjs --mirrors /work/.mirror --into /work/charts
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { gitDir, markCheckout } from "./common.mjs";

const { values } = parseArgs({
  options: { mirrors: { type: "string", default: "/work/.mirror" }, into: { type: "string", default: "/work/charts" } },
});

/**
 * A snapshot may lack its largest blobs, and `git archive` then stops half way: the tree is
 * written blob by blob instead, and the paths whose blobs are absent are returned.
 */
function extractBlobByBlob(git, into) {
  const entries = execFileSync("git", ["--git-dir", git, "ls-tree", "-r", "-z", "HEAD"], { maxBuffer: 1 << 30 })
    .toString("utf8").split("\0").filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split("\t");
      const [mode, type, oid] = meta.split(" ");
      return { mode, type, oid, path };
    })
    .filter((entry) => entry.type === "blob");
  const batch = execFileSync("git", ["--git-dir", git, "cat-file", "--batch"], {
    input: entries.map((entry) => `${entry.oid}\n`).join(""), maxBuffer: 2 ** 31,
  });
  const missing = [];
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = batch.indexOf(10, offset);
    const header = batch.subarray(offset, headerEnd).toString("utf8");
    offset = headerEnd + 1;
    if (header.endsWith(" missing")) {
      missing.push(entry.path);
      continue;
    }
    const size = Number(header.split(" ")[2]);
    const content = batch.subarray(offset, offset + size);
    offset += size + 1;
    const target = join(into, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    if (entry.mode === "120000") symlinkSync(content.toString("utf8"), target);
    else {
      writeFileSync(target, content);
      if (entry.mode === "100755") chmodSync(target, 0o755);
    }
  }
  return missing;
}

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
  let note = "";
  try {
    execFileSync("bash", ["-c", 'set -o pipefail; git --git-dir="$1" archive HEAD | tar -x -C "$2"', "extract", git, partial], {
      stdio: ["ignore", "ignore", "ignore"],
    });
  } catch {
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const missing = extractBlobByBlob(git, partial);
    note = ` (${missing.length} files absent from the snapshot: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""})`;
  }
  renameSync(partial, target);
  markCheckout(target);
  console.log(`${name}: extracted${note}`);
}
