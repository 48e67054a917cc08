/**
 * What `helm upgrade` will do with each object, decided the way Helm decides it
 * (k8s-rules.md §3.3): objects with the same group, kind, namespace and name are
 * updated in place; anything else is a create plus a delete. Hooks are not part of the
 * release manifest: Helm recreates them, it never patches them.
 */
import { stringMap, type KubeObject } from "../../model/object.ts";

export interface UpdatePair {
  before: KubeObject;
  after: KubeObject;
}

export interface UpgradePlan {
  /** Same identity on both sides: patched in place (where immutable fields can be refused). */
  updated: UpdatePair[];
  /** New in the target. */
  created: KubeObject[];
  /** Gone from the target: Helm deletes them after every update succeeded. */
  deleted: KubeObject[];
  /** Gone from the target but annotated `helm.sh/resource-policy: keep`: left running, untracked. */
  kept: KubeObject[];
  /** Hooks on either side: deleted and created again around the upgrade, never patched. */
  hooks: KubeObject[];
}

/** Helm's identity since 3.17.1 / 4.1.1: group, kind, namespace and name (the version is ignored). */
export function helmIdentity(object: KubeObject): string {
  const { kind, namespace, name } = object.ref;
  return [object.group, kind, namespace ?? "", name].join("\u0000");
}

export function keepsOnDelete(object: KubeObject): boolean {
  const annotations = stringMap((object.raw.metadata as { annotations?: unknown } | undefined)?.annotations);
  return annotations["helm.sh/resource-policy"] === "keep";
}

export function planUpgrade(previous: readonly KubeObject[], next: readonly KubeObject[]): UpgradePlan {
  const plan: UpgradePlan = { updated: [], created: [], deleted: [], kept: [], hooks: [] };
  const released = (o: KubeObject) => o.hooks.length === 0;
  const before = new Map<string, KubeObject>();
  for (const object of previous) {
    if (!released(object)) plan.hooks.push(object);
    else if (!object.generatedName) before.set(helmIdentity(object), object);
  }
  const seen = new Set<string>();
  for (const object of next) {
    if (!released(object)) {
      plan.hooks.push(object);
      continue;
    }
    const identity = helmIdentity(object);
    const old = object.generatedName ? undefined : before.get(identity);
    if (old) {
      plan.updated.push({ before: old, after: object });
      seen.add(identity);
    } else {
      plan.created.push(object);
    }
  }
  for (const [identity, object] of before) {
    if (seen.has(identity)) continue;
    (keepsOnDelete(object) ? plan.kept : plan.deleted).push(object);
  }
  return plan;
}
