/**
 * No function in src/ reaches 60 lines (issue #15): a longer one mixes steps that read
 * better as named functions. Counted as scripts/function-lengths.mjs lists them (from the
 * declaration to its closing brace, nested functions counted on their own too).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { functionLengthLine, functionLengths } from "../../scripts/function-lengths-count.mjs";
import { PROJECT_ROOT } from "../helpers/cli.ts";

const LIMIT = 60;

test(`architecture: every function in src/ is shorter than ${LIMIT} lines`, () => {
  const all = functionLengths([join(PROJECT_ROOT, "src")], PROJECT_ROOT);
  assert.ok(all.length > 500, `the count reads the source tree (found ${all.length} functions)`);
  const offenders = all.filter((f) => f.lines >= LIMIT).map(functionLengthLine);
  assert.deepEqual(offenders, [], `functions of ${LIMIT} lines or more (split them into named steps):\n${offenders.join("\n")}`);
});

test("architecture: the count measures each function from its declaration to its closing brace, nested ones too", () => {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-lengths-"));
  try {
    const file = join(dir, "sample.ts");
    writeFileSync(file, ["// a comment", "export function outer(n: number): number {", "  const double = (x: number) => x * 2;", "  return double(n);", "}", ""].join("\n"));
    assert.deepEqual(functionLengths([dir], dir), [
      { where: "sample.ts:2", name: "outer", lines: 4 },
      { where: "sample.ts:3", name: "double", lines: 1 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
