/**
 * Rule tables for what probes prove: each case is a base render, the probe renders
 * (a repeat, a combined perturbed render with its markers, single-cause renders) and the
 * exact findings one rule must report, with the probe evidence in the context.
 */
import { test } from "node:test";
import { buildContext, DEFAULT_SETTINGS, type ChartFacts } from "../../src/analyze/context.ts";
import type { Finding } from "../../src/analyze/finding.ts";
import { analyzeProbes, withUpgradeRefusal, withUpgradeRenders, type ProbeMarkers, type ProbeRenders, type SingleCauseRender } from "../../src/analyze/probes.ts";
import type { Rule } from "../../src/analyze/rule.ts";
import { runRules } from "../../src/analyze/run.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";
import { assertFindings, type ExpectedFinding } from "./rule-cases.ts";

export { yaml } from "./rule-cases.ts";

/** The markers render/probes.ts uses, for cases written by hand. */
export const MARKERS = {
  chartVersion: "cgchart",
  appVersion: "cgapp",
  revision: "987651",
} as const;

export interface ProbeCase {
  name: string;
  base: string;
  repeat?: string;
  combined?: { manifest: string; markers: ProbeMarkers };
  singles?: { cause: SingleCauseRender["cause"]; manifest: string; markers?: ProbeMarkers }[];
  /** What the chart's files say (src/chart-facts.ts), for cases whose templates matter. */
  chartFacts?: ChartFacts;
  /** The chart's own message refusing `helm upgrade` with the same values (the upgrade probe, render/probes.ts renderUpgrades). */
  upgradeRefusal?: string;
  /** The upgrade probe's two renders, `lookup` answered from the base render (analyze/probes.ts withUpgradeRenders). */
  upgrades?: [string, string];
  expect: ExpectedFinding[];
}

export const RENDERED = "chart (rendered)";

export function probeRenders(c: Omit<ProbeCase, "name" | "expect">): ProbeRenders {
  return {
    base: parseYamlStream(c.base, RENDERED),
    namespace: "default",
    ...(c.repeat === undefined ? {} : { repeat: parseYamlStream(c.repeat, "repeat") }),
    ...(c.combined === undefined ? {} : { combined: { docs: parseYamlStream(c.combined.manifest, "probe"), markers: c.combined.markers } }),
    ...(c.singles === undefined
      ? {}
      : { singles: c.singles.map((s) => ({ cause: s.cause, markers: s.markers ?? {}, docs: parseYamlStream(s.manifest, `probe ${s.cause}`) })) }),
  };
}

export function probedFindings(rule: Rule, c: Omit<ProbeCase, "name" | "expect">): Finding[] {
  const renders = probeRenders(c);
  const { evidence } = analyzeProbes(renders);
  const context = buildContext(objectsFromDocuments(renders.base, { namespace: "default" }).objects, DEFAULT_SETTINGS);
  const upgraded = c.upgrades === undefined ? evidence : withUpgradeRenders(evidence, renders.base, [parseYamlStream(c.upgrades[0], "upgrade"), parseYamlStream(c.upgrades[1], "upgrade")], "default");
  context.probes = c.upgradeRefusal === undefined ? upgraded : withUpgradeRefusal(upgraded, c.upgradeRefusal);
  if (c.chartFacts) context.chartFacts = c.chartFacts;
  return runRules(context, [rule]);
}

export function probeRuleCases(rule: Rule, cases: readonly ProbeCase[]): void {
  for (const c of cases) {
    test(`${rule.meta.id} (probed): ${c.name}`, () => assertFindings(rule, probedFindings(rule, c), c.expect));
  }
}
