/**
 * Deletes and creates that are really one object replaced: a kind change under the same
 * name (Deployment → StatefulSet), or a rename of an object that keeps its selector
 * (the fullname template changed). Helm sees two unrelated objects (k8s-rules.md §3.3).
 */
import { getPath, type KubeObject } from "../../model/object.ts";
import { sameValue } from "./diff.ts";
import type { Replacement } from "./impact.ts";
import type { UpgradePlan } from "./plan.ts";

export interface ReplacedPair {
  before: KubeObject;
  after: KubeObject;
  why: "kind-change" | "rename";
}

export function replacedPairs(plan: UpgradePlan): ReplacedPair[] {
  const pairs: ReplacedPair[] = [];
  const created = [...plan.created];
  const take = (match: (o: KubeObject) => boolean) => {
    const index = created.findIndex(match);
    return index < 0 ? undefined : created.splice(index, 1)[0];
  };
  for (const before of [...plan.deleted, ...plan.kept]) {
    const { namespace, name, kind } = before.ref;
    const sameName = take((o) => o.ref.name === name && o.ref.namespace === namespace);
    if (sameName) {
      pairs.push({ before, after: sameName, why: "kind-change" });
      continue;
    }
    const selector = getPath(before.raw, ["spec", "selector"]);
    if (selector === undefined) continue;
    const renamed = take(
      (o) => o.ref.kind === kind && o.group === before.group && o.ref.namespace === namespace && sameValue(getPath(o.raw, ["spec", "selector"]), selector),
    );
    if (renamed) pairs.push({ before, after: renamed, why: "rename" });
  }
  return pairs;
}

export function replacementsIn(plan: UpgradePlan): Replacement[] {
  return replacedPairs(plan).map((p) => ({ from: p.before.ref, to: p.after.ref }));
}
