/**
 * Deletes and creates that are really one object replaced (k8s-rules.md §3.3, §3.4).
 * Helm pairs objects by group, kind, namespace and name only, so it sees two unrelated
 * objects where a person sees one that moved:
 *
 * - kind change under the same name (Deployment → StatefulSet), between pod-owning kinds;
 * - group change of the same kind under the same name (Helm ≥ 3.17.1 / 4.1.1 treat the
 *   group as identity: a new object is created and the old one deleted);
 * - rename (the fullname template, a name override, or the release name changed) of a
 *   workload, Service or PersistentVolumeClaim, recognised by an unchanged non-empty
 *   selector, by the same containers and images (the selector often carries the name
 *   too), or for claims by the same spec.
 *
 * Jobs, CronJobs and anything named by generateName are never paired: per-revision Job
 * names (`x-migrate-3` → `x-migrate-4`) are a normal create plus delete, and a Job has no
 * selector in the manifest to pair on.
 */
import { keepsPodsBySelector } from "../../k8s/controllers.ts";
import { getPath, isRecord, stringMap, type KubeObject } from "../../model/object.ts";
import { normalize, sameValue } from "./diff.ts";
import type { Replacement, ReplacementWhy } from "./impact.ts";
import type { UpgradePlan } from "./plan.ts";

export type MatchedBy = "name" | "selector" | "containers" | "claim-spec";

export interface ReplacedPair {
  before: KubeObject;
  after: KubeObject;
  why: ReplacementWhy;
  /** What ties the two together. */
  matchedBy: MatchedBy;
  /** The old object carries `helm.sh/resource-policy: keep`: it stays running, untracked. */
  kept: boolean;
}

/** Kinds that own pods through a selector: a kind change between them moves the same app. */
function isPodOwner(object: KubeObject): boolean {
  return keepsPodsBySelector(object.group, object.ref.kind);
}

function isService(object: KubeObject): boolean {
  return object.ref.kind === "Service" && object.group === "";
}

function isClaim(object: KubeObject): boolean {
  return object.ref.kind === "PersistentVolumeClaim" && object.group === "";
}

/** The selector to pair renames on: present and non-empty after normalisation, else undefined. */
function pairingSelector(object: KubeObject): unknown {
  if (!isPodOwner(object) && !isService(object)) return undefined;
  const selector = normalize(getPath(object.raw, ["spec", "selector"]));
  if (selector === undefined || selector === null) return undefined;
  if (isRecord(selector) && Object.keys(selector).length === 0) return undefined;
  return selector;
}

/**
 * The new object `before` was renamed to, by its selector: the first of its kind over the same
 * pods. Services of one app share its selector (main, headless, metrics): a renamed Service
 * also serves one of its ports, and only one new Service may be it.
 */
function selectorRename(before: KubeObject, candidates: readonly KubeObject[]): KubeObject | undefined {
  const selector = pairingSelector(before);
  if (selector === undefined) return undefined;
  const matches = candidates.filter((o) => sameType(o, before) && sameScope(o, before) && sameValue(pairingSelector(o), selector));
  if (!isService(before)) return matches[0];
  const serving = matches.filter((o) => sharesPort(o, before));
  return serving.length === 1 ? serving[0] : undefined;
}

/** Whether two Services expose a port number in common. */
function sharesPort(a: KubeObject, b: KubeObject): boolean {
  const ports = (o: KubeObject) => {
    const list = getPath(o.raw, ["spec", "ports"]);
    return Array.isArray(list) ? list.map((port) => (isRecord(port) ? port.port : undefined)).filter((port) => port !== undefined) : [];
  };
  const theirs = ports(b);
  return ports(a).some((port) => theirs.includes(port));
}

/** Container names and image repositories (tags and digests dropped): who the pods are. */
function containerSignature(object: KubeObject): string | undefined {
  if (!isPodOwner(object)) return undefined;
  const containers = getPath(object.raw, ["spec", "template", "spec", "containers"]);
  if (!Array.isArray(containers) || containers.length === 0) return undefined;
  const parts: string[] = [];
  for (const container of containers) {
    const { name, image } = stringMap(container);
    if (!name || !image) return undefined;
    parts.push(`${name}=${imageRepository(image)}`);
  }
  return parts.sort().join(",");
}

export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0]!;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

function claimSpec(object: KubeObject): unknown {
  const spec = getPath(object.raw, ["spec"]);
  if (!isRecord(spec)) return {};
  const { volumeName: _bound, ...rest } = spec;
  return rest;
}

const sameScope = (a: KubeObject, b: KubeObject) => a.ref.namespace === b.ref.namespace;
const sameType = (a: KubeObject, b: KubeObject) => a.ref.kind === b.ref.kind && a.group === b.group;

export function replacedPairs(plan: UpgradePlan): ReplacedPair[] {
  const pairs: ReplacedPair[] = [];
  const kept = new Set(plan.kept);
  const olds = [...plan.deleted, ...plan.kept].filter((o) => !o.generatedName);
  const created = plan.created.filter((o) => !o.generatedName);
  const taken = new Set<KubeObject>();
  const paired = new Set<KubeObject>();
  const add = (before: KubeObject, after: KubeObject, why: ReplacementWhy, matchedBy: MatchedBy) => {
    pairs.push({ before, after, why, matchedBy, kept: kept.has(before) });
    taken.add(after);
    paired.add(before);
  };
  const free = (match: (o: KubeObject) => boolean) => created.filter((o) => !taken.has(o) && match(o));

  // 1. Same name and namespace: a group change of one kind, or a kind change between pod owners.
  for (const before of olds) {
    const sameName = (o: KubeObject) => o.ref.name === before.ref.name && sameScope(o, before);
    const regrouped = free((o) => sameName(o) && o.ref.kind === before.ref.kind && o.group !== before.group)[0];
    if (regrouped) {
      add(before, regrouped, "group-change", "name");
      continue;
    }
    if (!isPodOwner(before)) continue;
    const rekinded = free((o) => sameName(o) && isPodOwner(o) && o.ref.kind !== before.ref.kind)[0];
    if (rekinded) add(before, rekinded, "kind-change", "name");
  }

  // 2. Renames of one kind: the same selector, else the same containers, else (claims) the same spec.
  const unpaired = () => olds.filter((o) => !paired.has(o));
  for (const before of unpaired()) {
    const match = selectorRename(before, free(() => true));
    if (match) add(before, match, "rename", "selector");
  }
  for (const before of unpaired()) {
    const signature = containerSignature(before);
    if (signature === undefined) continue;
    const twins = unpaired().filter((o) => sameType(o, before) && sameScope(o, before) && containerSignature(o) === signature);
    const matches = free((o) => sameType(o, before) && sameScope(o, before) && containerSignature(o) === signature);
    // Only an unambiguous one-to-one match: two Deployments running the same image stay unpaired.
    if (twins.length === 1 && matches.length === 1) add(before, matches[0]!, "rename", "containers");
  }
  for (const before of unpaired()) {
    if (!isClaim(before)) continue;
    const candidates = free((o) => isClaim(o) && sameScope(o, before));
    const olderClaims = unpaired().filter((o) => isClaim(o) && sameScope(o, before));
    const sameSpec = candidates.filter((o) => sameValue(claimSpec(o), claimSpec(before)));
    if (sameSpec.length === 1) add(before, sameSpec[0]!, "rename", "claim-spec");
    else if (candidates.length === 1 && olderClaims.length === 1) add(before, candidates[0]!, "rename", "claim-spec");
  }
  return pairs;
}

export function replacementsOf(pairs: readonly ReplacedPair[]): Replacement[] {
  return pairs.map((p) => ({ from: p.before.ref, to: p.after.ref, why: p.why }));
}
