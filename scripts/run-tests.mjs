// Runs every test file under test/ with node:test. Node 20's --test takes no globs,
// so the files are listed here; concurrency 2 matches the 2-core CI machine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function testFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "fixtures" ? [] : testFiles(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles("test");
// chartguard remembers Helm's version in the user's cache folder: the tests use one of their own.
const cache = mkdtempSync(join(tmpdir(), "chartguard-test-cache-"));
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit", env: { ...process.env, XDG_CACHE_HOME: cache } },
);
rmSync(cache, { recursive: true, force: true });
process.exit(result.status ?? 1);
