/**
 * Secret and ConfigMap (docs/k8s-rules.md §1.11), bare Pods (§1.12), and the kinds whose
 * rules are whole-field table entries only (§1.13 RoleBinding, §1.14 StorageClass, §1.16
 * IngressClass). Sources: core, rbac, storage and networking validation
 * (k8s/api-errors.ts validationSourceUrl).
 */
import { getPath, isRecord } from "../../../model/object.ts";
import { fieldError, IMMUTABLE_WHEN_SET_DETAIL, POD_UPDATE_FORBIDDEN_DETAIL, validationSource } from "../../../k8s/api-errors.ts";
import { defaultedManifest, defaultedPodSpec } from "../../../k8s/defaults.ts";
import { immutableField, immutableFieldsFor } from "../../../k8s/update-rules.ts";
import { gateApplies } from "../../../k8s/versions.ts";
import { capitalize } from "../../messages.ts";
import { diff, sameValue } from "../../upgrade/diff.ts";
import type { UpdatePair } from "../../upgrade/plan.ts";
import { type Checked, isSubsetList, type Problem, tableProblem, tableProblems } from "./problem.ts";
import { podRemedy, recreateRemedy, secretRemedy } from "./remedies.ts";

const CORE = validationSource("");

/** §1.11: Secret type always; with `immutable: true` stored: data/stringData/binaryData and `immutable` itself. */
export function secretOrConfigMap(pair: UpdatePair, version: string): Checked {
  const problems = [...secretType(pair, version), ...(pair.before.raw.immutable === true ? immutableContent(pair) : [])];
  return { problems, remedy: (p) => secretRemedy(pair, p) };
}

function secretType(pair: UpdatePair, version: string): Problem[] {
  if (pair.after.ref.kind !== "Secret") return [];
  const entry = immutableField("", "Secret", "type");
  const b = getPath(defaultedManifest(pair.before.raw, "v1", "Secret"), entry.path);
  const a = getPath(defaultedManifest(pair.after.raw, "v1", "Secret"), entry.path);
  if (sameValue(b, a)) return [];
  return [{ ...tableProblem(entry, b, a, version), why: `${capitalize(entry.why)}, whether or not it is marked immutable (${validationSource(entry.group)}).` }];
}

/** A stored `immutable: true` object: the flag and every data entry are fixed. */
function immutableContent(pair: UpdatePair): Problem[] {
  const kind = pair.after.ref.kind;
  const problems: Problem[] = [];
  if (pair.after.raw.immutable !== true) {
    problems.push({
      path: ["immutable"],
      fieldError: fieldError("immutable", "Forbidden", IMMUTABLE_WHEN_SET_DETAIL),
      before: true,
      after: pair.after.raw.immutable ?? undefined,
      why: `Once a ${kind} is stored with \`immutable: true\`, that flag cannot be unset (${CORE}).`,
    });
  }
  for (const [section, b, a] of dataSections(pair)) {
    for (const key of new Set([...b.keys(), ...a.keys()])) {
      if (b.get(key) === a.get(key)) continue;
      const inStringData = kind === "Secret" && isRecord(pair.after.raw.stringData) && Object.hasOwn(pair.after.raw.stringData, key);
      problems.push({
        path: [inStringData ? "stringData" : section, key],
        fieldError: fieldError(section, "Forbidden", IMMUTABLE_WHEN_SET_DETAIL),
        before: b.has(key) ? "<old content>" : undefined,
        after: a.has(key) ? "<new content>" : undefined,
        why: `The stored ${kind} is marked \`immutable: true\`, so its ${section}${kind === "Secret" ? " (including changes made through stringData)" : ""} cannot change (${CORE}).`,
      });
    }
  }
  return problems;
}

/** Each data section with its entries before and after, as the API server stores them. */
function dataSections(pair: UpdatePair): [string, Map<string, string>, Map<string, string>][] {
  const [before, after] = [pair.before.raw, pair.after.raw];
  if (pair.after.ref.kind === "Secret") return [["data", secretData(before), secretData(after)]];
  return [
    ["data", stringEntries(before.data), stringEntries(after.data)],
    ["binaryData", base64Entries(before.binaryData, false), base64Entries(after.binaryData, false)],
  ];
}

function stringEntries(map: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (isRecord(map)) for (const [k, v] of Object.entries(map)) if (v !== null && v !== undefined) out.set(k, typeof v === "string" ? v : JSON.stringify(v));
  return out;
}

/** base64 values, re-encoded so whitespace and line breaks do not count as a change. */
function base64Entries(map: unknown, fromText: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (!isRecord(map)) return out;
  for (const [k, v] of Object.entries(map)) {
    if (v === null || v === undefined) continue;
    const text = typeof v === "string" ? v : String(v);
    out.set(k, fromText ? Buffer.from(text, "utf8").toString("base64") : Buffer.from(text.replace(/\s+/g, ""), "base64").toString("base64"));
  }
  return out;
}

/** A Secret's data as stored: `data` with `stringData` merged over it (the API server encodes stringData into data). */
function secretData(raw: Record<string, unknown>): Map<string, string> {
  const data = base64Entries(raw.data, false);
  for (const [k, v] of base64Entries(raw.stringData, true)) data.set(k, v);
  return data;
}

/** What a bare Pod's spec may change (§1.12), per changed leaf. */
function podChangeAllowed(d: { path: readonly (string | number)[]; before: unknown; after: unknown }, spec: { before: Record<string, unknown>; after: Record<string, unknown> }): boolean {
  const field = String(d.path[1]);
  if ((field === "containers" || field === "initContainers") && d.path[3] === "image" && d.path.length === 4) return true;
  if (field === "tolerations") return isSubsetList(spec.before.tolerations, spec.after.tolerations);
  if (field === "schedulingGates") return isSubsetList(spec.after.schedulingGates, spec.before.schedulingGates);
  if (field === "activeDeadlineSeconds") return typeof d.after === "number" && (d.before === undefined || (typeof d.before === "number" && d.after <= d.before));
  if (field === "terminationGracePeriodSeconds") return typeof d.before === "number" && d.before < 0 && d.after === 1;
  return false;
}

/** §1.12: a bare (non-hook) Pod: spec immutable except images, activeDeadlineSeconds, toleration additions, … */
export function pod(pair: UpdatePair): Checked {
  const before = defaultedPodSpec(getPath(pair.before.raw, ["spec"]), { bare: true });
  const after = defaultedPodSpec(getPath(pair.after.raw, ["spec"]), { bare: true });
  const resized = (["containers", "initContainers"] as const).filter((list) => listLength(before[list]) !== listLength(after[list]));
  const problems: Problem[] = resized.map((list) => ({
    path: ["spec", list],
    fieldError: fieldError(`spec.${list}`, "Forbidden", "pod updates may not add or remove containers"),
    before: listLength(before[list]),
    after: listLength(after[list]),
    why: `Containers cannot be added to or removed from a running Pod (${CORE}).`,
  }));
  const forbidden = fieldError("spec", "Forbidden", POD_UPDATE_FORBIDDEN_DETAIL);
  for (const d of diff(before, after, ["spec"])) {
    if (resized.includes(d.path[1] as "containers") || podChangeAllowed(d, { before, after })) continue;
    problems.push({
      path: d.path,
      fieldError: forbidden,
      before: d.before,
      after: d.after,
      why: `A Pod's spec is immutable except container images, activeDeadlineSeconds (set or lowered), added tolerations and removed scheduling gates (${CORE}). Resource changes go through the resize subresource, not through helm upgrade.`,
    });
  }
  return { problems, remedy: () => podRemedy(pair) };
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** §1.13, §1.14, §1.16: whole-field comparisons from the table. */
export function tableOnly(pair: UpdatePair, version: string): Checked {
  const { group, ref } = pair.after;
  const before = defaultedManifest(pair.before.raw, pair.before.ref.apiVersion, ref.kind);
  const after = defaultedManifest(pair.after.raw, ref.apiVersion, ref.kind);
  const entries = immutableFieldsFor(group, ref.kind).filter((entry) => !entry.gate || gateApplies(entry.gate, version));
  return { problems: tableProblems(entries, before, after, version), remedy: () => recreateRemedy(pair) };
}
