/** `chartguard --version` / `-V`: the package's version, exit 0, nothing else. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { VERSION } from "../../src/version.ts";
import { PROJECT_ROOT, runCli } from "../helpers/cli.ts";

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };

test("VERSION is package.json's version", () => {
  assert.equal(VERSION, pkg.version);
});

for (const flag of ["--version", "-V"]) {
  test(`chartguard ${flag} prints the version and exits 0`, () => {
    const result = runCli([flag]);
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, `${pkg.version}\n`, ""]);
  });
}
