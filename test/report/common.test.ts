import assert from "node:assert/strict";
import { test } from "node:test";
import type { Suppression } from "../../src/analyze/suppress.ts";
import { suppressedCount, suppressedSuffix, suppressionText } from "../../src/report/common.ts";
import { suppressedResult } from "./helpers.ts";

test("a suppression in words: what, where it is written, and why", () => {
  const cases: [Suppression, string][] = [
    [{ by: "comment", reason: "fixed in 2.0", file: "web.yaml", line: 9 }, "a chartguard-ignore comment (web.yaml:9): fixed in 2.0"],
    [{ by: "comment", file: "charts/web/templates/deployment.yaml", line: 12 }, "a chartguard-ignore comment (charts/web/templates/deployment.yaml:12)"],
    [{ by: "annotation", reason: "runs once per release", file: "web.yaml", line: 22 }, "the chartguard.io/ignore annotation (web.yaml:22): runs once per release"],
    [{ by: "allowed-overlap", reason: "canary", file: "/repo/.chartguard.yaml" }, "allowedOverlaps in the config (/repo/.chartguard.yaml): canary"],
    [{ by: "allowed-overlap" }, "allowedOverlaps in the config"],
    [
      { by: "probe-cause", reason: "ignoreProbeCauses: volatile-pod-labels accepts cause image-tag", file: "/repo/.chartguard.yaml" },
      "the config (/repo/.chartguard.yaml): ignoreProbeCauses: volatile-pod-labels accepts cause image-tag",
    ],
  ];
  for (const [suppression, text] of cases) assert.equal(suppressionText(suppression), text);
});

test("the suppressed count: the summary's, else the listed ones, else none", () => {
  const { summary, suppressed } = suppressedResult();
  assert.equal(suppressedCount({ findings: [], notes: [], summary: { ...summary, suppressed: 7 }, suppressed }), 7, "also what is not listed");
  assert.equal(suppressedCount({ findings: [], notes: [], suppressed }), 4);
  assert.equal(suppressedCount({ findings: [], notes: [] }), 0);
  assert.equal(suppressedSuffix({ findings: [], notes: [], summary: { error: 0, warning: 0, info: 0, suppressed: 2 } }), ", 2 suppressed");
  assert.equal(suppressedSuffix({ findings: [], notes: [], summary: { error: 0, warning: 0, info: 0, suppressed: 0 } }), "");
});
