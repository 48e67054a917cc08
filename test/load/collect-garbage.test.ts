import assert from "node:assert/strict";
import { test } from "node:test";
import { collectGarbage } from "../../src/load/collect-garbage.ts";

test("collectGarbage frees a large string nothing refers to any more, at once", () => {
  let text: string | undefined = Buffer.alloc(64 * 1024 * 1024, "a").toString("utf8");
  assert.equal(text.length, 64 * 1024 * 1024);
  const before = process.memoryUsage().heapUsed;
  text = undefined;
  collectGarbage();
  const freed = before - process.memoryUsage().heapUsed;
  assert.ok(freed > 48 * 1024 * 1024, `freed ${Math.round(freed / 1024 / 1024)} MB`);
  assert.equal(text, undefined);
});
