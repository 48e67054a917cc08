/**
 * What the text plan and the markdown comment both say about an upgrade, before either
 * formats it: what fails, what restarts and why, what is created, deleted, replaced or
 * left behind. Replaced objects are a create plus a delete: they are listed once, as
 * replacements.
 */
import type { Finding } from "../analyze/finding.ts";
import type { Impact, RolledWorkload } from "../analyze/upgrade/impact.ts";
import type { ObjectRef } from "../model/object.ts";
import { refKey } from "./common.ts";

const REASON_TEXT: Record<string, string> = {
  image: "image",
  env: "environment",
  "config-checksum": "config checksum",
  resources: "resources",
  "labels-only": "labels only",
  labels: "labels",
  annotations: "annotations",
  command: "command/args",
  volumes: "volumes",
  probes: "probes",
  containers: "containers added/removed",
  "pod-spec": "pod spec",
};

/** After a failing finding the release as it is has too: the upgrade does not cause it. */
export const ALREADY_PRESENT = "already present before this upgrade";

export const REPLACED_WHY = { rename: "renamed", "kind-change": "kind changed", "group-change": "API group changed" } as const;

export interface RollLine {
  rolled: RolledWorkload;
  /** Why it restarts, for people: `image, environment`. */
  reasons: string;
  /** Its update is refused: it rolls only once that is fixed. */
  refused: boolean;
}

export interface UpgradeOutline {
  /** Error findings: what the API server refuses or what breaks. */
  failing: Finding[];
  rolls: RollLine[];
  needlessRolls: number;
  created: ObjectRef[];
  deleted: ObjectRef[];
}

export function upgradeOutline(findings: readonly Finding[], impact: Impact): UpgradeOutline {
  const failing = findings.filter((f) => f.severity === "error");
  const refused = new Set(failing.map((f) => refKey(f.object)));
  const replacedFrom = new Set(impact.replaced.map((r) => refKey(r.from)));
  const replacedTo = new Set(impact.replaced.map((r) => refKey(r.to)));
  return {
    failing,
    rolls: impact.rolled.map((rolled) => ({
      rolled,
      reasons: rolled.reasons.map((reason) => REASON_TEXT[reason] ?? reason).join(", "),
      refused: refused.has(refKey(rolled.object)),
    })),
    needlessRolls: impact.rolled.filter((r) => r.needless).length,
    created: impact.created.filter((o) => !replacedTo.has(refKey(o))),
    deleted: impact.deleted.filter((o) => !replacedFrom.has(refKey(o))),
  };
}
