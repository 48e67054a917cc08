import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDocuments } from "../../src/analyze/check.ts";
import { CORPUS_MISSING, corpusCases, corpusDocuments, matchedObject } from "../helpers/corpus.ts";

// `check` on each real render must report the overlaps the corpus lists for it.
test("check finds the overlaps listed in the corpus", { skip: CORPUS_MISSING }, () => {
  for (const corpusCase of corpusCases()) {
    const overlaps = corpusCase.expected.filter((e) => e.outcome === "overlap" && !e.optional);
    for (const side of ["from", "to"] as const) {
      if (overlaps.length === 0) continue;
      const { findings } = checkDocuments(corpusDocuments(corpusCase.id, side), { namespace: corpusCase.namespace });
      for (const expected of overlaps) {
        const finding = findings.find(
          (f) => f.rule === "selector-overlap" && f.object.kind === expected.kind && f.object.name === expected.name,
        );
        assert.ok(finding, `${corpusCase.id}/${side}: selector-overlap on ${expected.kind}/${expected.name}`);
        const reported = [...finding.related.map((r) => `${r.kind}/${r.name}`), ...((finding.evidence.matches as string[] | undefined) ?? [])];
        for (const match of expected.matches ?? []) {
          assert.ok(reported.includes(matchedObject(match)), `${corpusCase.id}/${side}: ${expected.kind}/${expected.name} should name ${match}; got ${reported.join(", ")}`);
        }
      }
    }
  }
});
