/** Which label would make an overlapping selector unique, and the remedy that names it. */
import { isControllerLabel } from "../../../model/cluster.ts";
import { refString } from "../../../model/object.ts";
import { describeSelector, type Selector } from "../../../model/selector.ts";
import { VOLATILE_LABEL_KEYS, volatileLabels } from "../../../model/volatile.ts";
import type { Workload } from "../../../model/workloads.ts";
import type { AnalysisContext } from "../../context.ts";
import type { Remedy } from "../../finding.ts";
import { formatMessage } from "../../messages.ts";

const COMPONENT_KEY = "app.kubernetes.io/component";

export interface KeySuggestion {
  key: string;
  /** Values on the intended pods (empty when no workload is clearly intended). */
  intended: string[];
  /** Each foreign workload and its value of the key (undefined: the label is absent there). */
  others: { workload: Workload; value: string | undefined }[];
}

/**
 * A label key that separates the intended pods from the foreign ones: present on every
 * intended pod template, and absent or with another value on each foreign one.
 * app.kubernetes.io/component wins; then keys the foreign pods carry with other values;
 * then keys they lack. Volatile and controller-set labels are never proposed. With no
 * intended workload, a key with a distinct value on every given workload.
 */
export function suggestKey(context: AnalysisContext, intended: readonly Workload[], foreign: readonly Workload[]): KeySuggestion | undefined {
  const unstable = context.derived(unstableKeyCache);
  // Labels set by controllers are never a chart's way to tell workloads apart.
  const usable = (w: Workload, key: string) => !isControllerLabel(key) && !unstableKeys(context, unstable, w).has(key);
  const others = (key: string) => foreign.map((w) => ({ workload: w, value: w.podLabels[key] }));
  if (intended.length === 0) {
    const [first] = foreign;
    if (!first || foreign.length < 2) return undefined;
    const keys = Object.keys(first.podLabels).filter((key) =>
      foreign.every((w) => w.podLabels[key] !== undefined && usable(w, key)) && new Set(foreign.map((w) => w.podLabels[key])).size === foreign.length,
    );
    const key = keys.includes(COMPONENT_KEY) ? COMPONENT_KEY : keys[0];
    return key === undefined ? undefined : { key, intended: [], others: others(key) };
  }
  const [first] = intended;
  const candidates = Object.keys(first!.podLabels).filter((key) => intended.every((w) => w.podLabels[key] !== undefined && usable(w, key)));
  const ranked: string[][] = [[], [], []];
  for (const key of candidates) {
    const values = new Set(intended.map((w) => w.podLabels[key]!));
    const separates = foreign.every((w) => w.podLabels[key] === undefined || !values.has(w.podLabels[key]!));
    if (!separates) continue;
    if (key === COMPONENT_KEY) ranked[0]!.push(key);
    else if (foreign.every((w) => w.podLabels[key] !== undefined && usable(w, key))) ranked[1]!.push(key);
    else ranked[2]!.push(key);
  }
  const key = ranked.flat()[0];
  if (key === undefined) return undefined;
  return { key, intended: [...new Set(intended.map((w) => w.podLabels[key]!))], others: others(key) };
}

function unstableKeyCache(): Map<Workload, Set<string>> {
  return new Map();
}

/** Labels that change with versions or values: never a way to tell workloads apart for good. */
function unstableKeys(context: AnalysisContext, cache: Map<Workload, Set<string>>, workload: Workload): Set<string> {
  let keys = cache.get(workload);
  if (!keys) {
    keys = new Set([...VOLATILE_LABEL_KEYS, ...volatileLabels(workload.podLabels, context.versions, context.settings.extraVolatileKeys).map((l) => l.key)]);
    cache.set(workload, keys);
  }
  return keys;
}

/** The selector, the pods it takes in and the suggested key, as every finding of the rule keeps them. */
export function overlapEvidence(selector: Selector, matched: readonly Workload[], suggestion: KeySuggestion | undefined): Record<string, unknown> {
  return {
    selector: describeSelector(selector),
    // The engine's structured selector: what suppression (allowedOverlaps) matches on.
    requirements: selector.requirements,
    matches: matched.map((w) => refString(w.object.ref)),
    suggestedKey: suggestion?.key ?? null,
    ...(suggestion === undefined ? {} : { suggestion: suggestionEvidence(suggestion) }),
  };
}

function suggestionEvidence(suggestion: KeySuggestion): Record<string, unknown> {
  return {
    key: suggestion.key,
    intended: suggestion.intended,
    others: suggestion.others.map(({ workload, value }) => ({ object: refString(workload.object.ref), value: value ?? null })),
  };
}

/** Remedies with the finding's specifics: the label that tells the pods apart, where to require it. */
const REMEDY = {
  addKey: "Add `{{requirement}}` to {{field}}: the intended pods carry it, the others carry another value or none.",
  addKeyOfIntended: "Add `{{key}}` to {{field}} with the value of the workload it is meant for (each selected workload has its own).",
  noKey: "No stable label tells these pods apart: add app.kubernetes.io/component with a distinct value to each workload's pod template and require it in {{field}}.",
  jobLabels: "Or render the pod labels of {{jobs}} without this selector's labels (or with a distinct app.kubernetes.io/component).",
};

/** The remedy that names the suggested key (and, for Job pods, the simpler way out). */
export function keyRemedy(suggestion: KeySuggestion | undefined, field: string, jobs?: string): Remedy {
  const parts = [
    suggestion === undefined
      ? formatMessage(REMEDY.noKey, { field }, "remedy noKey")
      : suggestion.intended.length === 0
        ? formatMessage(REMEDY.addKeyOfIntended, { key: suggestion.key, field }, "remedy addKeyOfIntended")
        : formatMessage(REMEDY.addKey, { requirement: requirementText(suggestion), field }, "remedy addKey"),
  ];
  if (jobs !== undefined) parts.push(formatMessage(REMEDY.jobLabels, { jobs }, "remedy jobLabels"));
  return { text: parts.join(" ") };
}

function requirementText(suggestion: KeySuggestion): string {
  return suggestion.intended.length === 1 ? `${suggestion.key}: ${suggestion.intended[0]}` : `${suggestion.key} in (${suggestion.intended.join(", ")})`;
}
