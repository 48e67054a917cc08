/**
 * Objects rendered twice: the same API group, kind, namespace and name from one source
 * (one chart render, else one manifest file). Helm hooks and generateName objects have
 * no fixed identity in the release and are never copies. duplicate-object reports the
 * later copies; the other rules read only the first, as the cluster holds one object.
 */
import type { KubeObject } from "../model/object.ts";
import type { AnalysisContext } from "./context.ts";

export interface DuplicateCopy {
  copy: KubeObject;
  first: KubeObject;
}

/** Every later copy with the first copy of its object, in input order. */
export function duplicateCopies(context: AnalysisContext): readonly DuplicateCopy[] {
  return analysed(context).list;
}

/** True for a later copy of an object rendered earlier by the same source. */
export function isLaterCopy(context: AnalysisContext, object: KubeObject): boolean {
  return analysed(context).copies.has(object);
}

const cache = new WeakMap<AnalysisContext, { list: DuplicateCopy[]; copies: Set<KubeObject> }>();

function analysed(context: AnalysisContext): { list: DuplicateCopy[]; copies: Set<KubeObject> } {
  let found = cache.get(context);
  if (found) return found;
  found = { list: [], copies: new Set() };
  const first = new Map<string, KubeObject>();
  for (const object of context.objects) {
    if (object.hooks.length > 0 || object.generatedName || object.ref.name === "") continue;
    const key = identityKey(object);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, object);
    else {
      found.list.push({ copy: object, first: earlier });
      found.copies.add(object);
    }
  }
  cache.set(context, found);
  return found;
}

function identityKey(object: KubeObject): string {
  const { release } = object.doc;
  const source = release === undefined ? `file\u0000${object.doc.file}` : `release\u0000${release.name}\u0000${release.chart ?? ""}`;
  return [source, object.group, object.ref.kind, object.ref.namespace ?? "", object.ref.name].join("\u0000");
}
