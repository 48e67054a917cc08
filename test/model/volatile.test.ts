import assert from "node:assert/strict";
import { test } from "node:test";
import { mentionsVersion } from "../../src/model/volatile.ts";

test("mentionsVersion: the version as a word of its own (after = , : or -, with a v), never inside another number", () => {
  const versions = new Set(["1.4.0"]);
  const cases: [string, boolean][] = [
    ["service.name=indexer,chart.version=1.4.0", true],
    ["v1.4.0", true],
    ["search/indexer:1.4.0-alpine", true],
    ["search-1.4.0", true],
    ["11.4.0", false],
    ["1.4.01", false],
    ["1.4.0.1", false],
    ["a1.4.0", false],
    ["no version here", false],
  ];
  assert.deepEqual(cases.map(([text]) => [text, mentionsVersion(text, versions)]), cases);
  assert.equal(mentionsVersion("1.4.0", new Set()), false);
});
