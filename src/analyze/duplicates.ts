/**
 * Objects rendered twice: the same API group, kind, namespace and name from one source
 * (one chart render, else one manifest file). Helm hooks and generateName objects have
 * no fixed identity in the release and are never copies. duplicate-object reports the
 * later copies; the other rules read only the first, as the cluster holds one object.
 */
import type { YamlDocument } from "../load/yaml.ts";
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
  const first: Identities = new Map();
  const sources = new Map<YamlDocument, string>();
  for (const object of context.objects) {
    if (object.hooks.length > 0 || object.generatedName || object.ref.name === "") continue;
    let source = sources.get(object.doc);
    if (source === undefined) sources.set(object.doc, (source = sourceKey(object.doc)));
    const earlier = firstWith(first, [source, object.group, object.ref.kind, object.ref.namespace ?? "", object.ref.name], object);
    if (earlier !== undefined) {
      found.list.push({ copy: object, first: earlier });
      found.copies.add(object);
    }
  }
  cache.set(context, found);
  return found;
}

function sourceKey(doc: YamlDocument): string {
  const { release } = doc;
  return release === undefined ? `file\u0000${doc.file}` : `release\u0000${release.name}\u0000${release.chart ?? ""}`;
}

/** Objects by source, group, kind, namespace and name: nested maps keyed by the strings objects hold, no key made per object. */
type Identities = Map<string, Identities | KubeObject>;

/** The object first recorded under `keys`, after recording `object` there if none was. */
function firstWith(identities: Identities, keys: readonly string[], object: KubeObject): KubeObject | undefined {
  let map = identities;
  for (let i = 0; i < keys.length - 1; i++) {
    let next = map.get(keys[i]!) as Identities | undefined;
    if (next === undefined) map.set(keys[i]!, (next = new Map()));
    map = next;
  }
  const last = keys[keys.length - 1]!;
  const earlier = map.get(last) as KubeObject | undefined;
  if (earlier === undefined) map.set(last, object);
  return earlier;
}
