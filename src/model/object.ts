/**
 * Kubernetes objects as chartguard sees them: identity, labels, and where each came from.
 * Values stay `unknown` until a view narrows them, because the input is untrusted YAML.
 */
import { isRecord, type FieldPath, type YamlDocument } from "../load/yaml.ts";

export { isRecord };

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface KubeObject {
  ref: ObjectRef;
  /** API group, "" for the core group. */
  group: string;
  raw: Record<string, unknown>;
  doc: YamlDocument;
  /** Where the object sits in its document: [] or ["items", n] inside a List. */
  pathPrefix: FieldPath;
  /** Named by metadata.generateName: the API server picks the name, so it is new every time. */
  generatedName: boolean;
  /** helm.sh/hook values (pre-install, test, ...); empty for ordinary objects. */
  hooks: readonly string[];
}

export interface ModelNote {
  file: string;
  /** Absent for notes about a whole input (a chart rendered without its dependencies). */
  line?: number;
  message: string;
}

// Kinds that Helm does not put in a namespace; all others get the release namespace.
const CLUSTER_SCOPED = new Set([
  "APIService", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding",
  "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition", "FlowSchema", "IngressClass",
  "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass",
  "PriorityLevelConfiguration", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
  "VolumeAttributesClass", "ClusterServiceVersion",
]);

/** The object's namespace, "" for a cluster-scoped object (the key the context indexes pods and Services by). */
export function namespaceOf(object: KubeObject): string {
  return object.ref.namespace ?? "";
}

/** The value at `path` inside `value`, or undefined where any step is missing. */
export function getPath(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** Whether `path` lies at or under `prefix`. */
export function pathStartsWith(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** `spec.volumeClaimTemplates[0].metadata.labels.helm.sh/chart`: the form findings and messages use. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function refString(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/**
 * A label or annotation map with only the entries whose values are strings; null becomes ""
 * as the API server decodes it into map[string]string. A map that is already all strings
 * (nearly every one) is returned as it is, not copied: a dump has one per object.
 */
export function stringMap(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return NO_ENTRIES;
  let allStrings = true;
  for (const key in value) {
    if (typeof value[key] !== "string") {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return value as Record<string, string>;
  const out: Record<string, string> = {};
  for (const key in value) {
    const v = value[key];
    if (typeof v === "string" || v === null) Object.defineProperty(out, key, { value: v ?? "", enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const NO_ENTRIES: Readonly<Record<string, string>> = Object.freeze({});

/** `stringMap(value)[key]`, without copying the map to read one entry. */
export function stringEntry(value: unknown, key: string): string | undefined {
  if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
  const entry = value[key];
  return typeof entry === "string" ? entry : entry === null ? "" : undefined;
}

/** Shared by every object that is not a hook (nearly all of a dump). */
const NO_HOOKS: readonly string[] = Object.freeze([]);

export interface ModelOptions {
  /** The namespace Helm applies to namespaced objects that set none (`-n`, default "default"). */
  namespace: string;
}

/**
 * Turns parsed documents into objects: `kind: List` / `*List` items are unpacked
 * (what `kubectl get -o yaml` prints); documents without apiVersion/kind are skipped with a note.
 */
export function objectsFromDocuments(
  docs: readonly YamlDocument[],
  options: ModelOptions,
): { objects: KubeObject[]; notes: ModelNote[] } {
  const objects: KubeObject[] = [];
  const notes: ModelNote[] = [];
  const add = (doc: YamlDocument, value: unknown, pathPrefix: FieldPath) => {
    if (value === null || value === undefined) return;
    // Located only for a note: finding a line can cost a parse of the whole document.
    const note = (message: string) => notes.push({ file: doc.file, line: doc.locate(pathPrefix), message });
    const what = pathPrefix.length === 0 ? "document" : "List item";
    if (!isRecord(value)) {
      note(`${what} is not a mapping; skipped`);
      return;
    }
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") {
      note(`${what} has no apiVersion/kind; skipped`);
      return;
    }
    if (kind === "List" || (kind.endsWith("List") && Array.isArray(value.items))) {
      if (!Array.isArray(value.items)) {
        note(`${kind} has no items list; skipped`);
        return;
      }
      value.items.forEach((item, i) => add(doc, item, [...pathPrefix, "items", i]));
      return;
    }
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const name = typeof metadata.name === "string" ? metadata.name : undefined;
    const generateName = typeof metadata.generateName === "string" ? metadata.generateName : undefined;
    if (name === undefined && generateName === undefined) {
      note(`${kind} has no metadata.name; skipped`);
      return;
    }
    const namespace = isClusterScoped(kind)
      ? undefined
      : typeof metadata.namespace === "string" && metadata.namespace !== ""
        ? metadata.namespace
        : options.namespace;
    const hookAnnotation = stringEntry(metadata.annotations, "helm.sh/hook");
    const objectName = name ?? `${generateName}*`;
    objects.push({
      ref: namespace === undefined ? { apiVersion, kind, name: objectName } : { apiVersion, kind, namespace, name: objectName },
      group: groupOf(apiVersion),
      raw: value,
      doc,
      pathPrefix,
      generatedName: name === undefined,
      hooks: hookAnnotation ? hookAnnotation.split(",").map((h) => h.trim()).filter(Boolean) : NO_HOOKS,
    });
  };
  for (const doc of docs) add(doc, doc.value, []);
  return { objects, notes };
}

/** A Helm hook that Helm deletes once it succeeds (`helm.sh/hook-delete-policy` includes hook-succeeded). */
export function hookDeletedOnSuccess(object: KubeObject): boolean {
  const policy = stringEntry(getPath(object.raw, ["metadata", "annotations"]), "helm.sh/hook-delete-policy") ?? "";
  return object.hooks.length > 0 && policy.split(",").some((p) => p.trim() === "hook-succeeded");
}
