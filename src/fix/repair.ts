/** What a repair is, and what planning one reads (fix/plan.ts plans them; fix/overlap.ts plans those of selector-overlap). */
import type { Finding } from "../analyze/finding.ts";
import type { ObjectRef } from "../model/object.ts";
import type { AddedSelectorHelper } from "./helpers.ts";
import type { LineEdit } from "./patch.ts";

export type RepairKind =
  | "selector-labels-helper"
  | "selector-labels-helper-added"
  | "values-out-of-selector"
  | "values-out-of-claim-template"
  | "literal-label-removed"
  | "job-pods-out-of-selector";

/**
 * A field a repair means to change: the label map at `path` of `object`, from which it
 * takes out `label` (the finding's) and any label the object keeps elsewhere (fix/proof.ts).
 */
export interface IntendedField {
  object: ObjectRef;
  path: string;
  label?: string;
}

export interface Repair {
  /** `templates/deployment.yaml:18`: the file and first line the repair edits. */
  id: string;
  kind: RepairKind;
  /** One sentence: what the edit does. */
  description: string;
  edit: LineEdit;
  /** More lines the same repair edits: those writing the finding's other labels in the same map. */
  alsoEdits?: LineEdit[];
  /** The findings the edit removes, in the order they were reported. */
  findings: Finding[];
  intended: IntendedField[];
  /** What the proof with the given values cannot show: who the repair still affects. */
  caveat?: string;
}

export interface PlanInput {
  findings: readonly Finding[];
  /** The chart directory, absolute. */
  chartDir: string;
  /** The directory `location.template` paths are relative to. */
  cwd: string;
  /** Template files by their path relative to the chart directory (with `/`). */
  files: ReadonlyMap<string, string>;
  /** Labels helper → the selector-labels helper it includes (fix/helpers.ts). */
  selectorHelpers: ReadonlyMap<string, string>;
  /** Labels helper that includes none → the selector-labels helper a repair adds (fix/helpers.ts). */
  helpersToAdd?: ReadonlyMap<string, AddedSelectorHelper>;
  /** The chart has Bitnami's common label helpers (fix/helpers.ts, hasBitnamiCommon). */
  bitnamiCommon?: boolean;
}
