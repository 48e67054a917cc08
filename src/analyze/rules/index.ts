/** Every rule chartguard runs, in one explicit list. */
import type { Rule } from "../rule.ts";
import { selectorMismatch } from "./selector-mismatch.ts";
import { volatileSelector } from "./volatile-selector.ts";
import { volatilePodLabels } from "./volatile-pod-labels.ts";
import { volatileClaimTemplate } from "./volatile-claim-template.ts";
import { volatileJobTemplate } from "./volatile-job-template.ts";
import { invalidLabel } from "./invalid-label.ts";
import { selectorOverlap } from "./selector-overlap.ts";
import { danglingSelector } from "./dangling-selector.ts";
import { duplicateObject } from "./duplicate-object.ts";
import { nondeterministicRender } from "./nondeterministic-render.ts";
import { rolloutSelectorChanged } from "./rollout-selector-changed.ts";
import { needlessRollout } from "./needless-rollout.ts";
import { objectReplaced } from "./object-replaced.ts";
import { immutableField } from "./immutable-field.ts";
import { mergeTrap } from "./merge-trap.ts";

export const CHECK_RULES: readonly Rule[] = [
  selectorMismatch,
  selectorOverlap,
  danglingSelector,
  duplicateObject,
  volatileSelector,
  volatilePodLabels,
  volatileClaimTemplate,
  volatileJobTemplate,
  nondeterministicRender,
  invalidLabel,
];

/** Rules that compare the release as it is with the release as it will be (`upgrade`). */
export const UPGRADE_RULES: readonly Rule[] = [
  rolloutSelectorChanged,
  needlessRollout,
  objectReplaced,
  immutableField,
  mergeTrap,
];

export function ruleById(id: string): Rule | undefined {
  return [...CHECK_RULES, ...UPGRADE_RULES].find((rule) => rule.meta.id === id);
}
