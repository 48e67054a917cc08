/**
 * Objects that select pods (or Services) by label without owning them, each with the
 * nil/empty meaning its API defines (k8s-rules.md §2.3, §4).
 */
import type { FieldPath } from "../load/yaml.ts";
import { getPath, isRecord, stringMap, type KubeObject } from "./object.ts";
import { compileLabelSelector, selectorFromMap, type Selector } from "./selector.ts";

export type ConsumerKind = "Service" | "PodDisruptionBudget" | "NetworkPolicy" | "ServiceMonitor" | "PodMonitor";

export interface SelectorConsumer {
  object: KubeObject;
  kind: ConsumerKind;
  /** What the selector picks: pods, or (ServiceMonitor) Services by their own labels. */
  selects: "pods" | "services";
  selectorPath: FieldPath;
  selector: Selector;
  /** The selector field is absent or null in the manifest. */
  selectorAbsent: boolean;
  /** Namespaces the selector looks in; undefined means every namespace. */
  namespaces?: readonly string[];
}

export interface PdbView extends SelectorConsumer {
  kind: "PodDisruptionBudget";
  /** maxUnavailable or a percentage minAvailable: needs a controller with /scale (k8s-rules.md §4). */
  needsScale: boolean;
}

export interface ScaleTargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
}

export interface HpaView {
  object: KubeObject;
  target?: ScaleTargetRef;
  targetPath: FieldPath;
}

const SERVICE_SELECTOR = { nil: "nothing", empty: "nothing" } as const;
const PDB_V1 = { nil: "nothing", empty: "everything" } as const;
const PDB_V1BETA1 = { nil: "nothing", empty: "nothing" } as const;
const EMPTY_IS_ALL = { nil: "everything", empty: "everything" } as const;

export function consumerOf(object: KubeObject): SelectorConsumer | PdbView | undefined {
  const { kind } = object.ref;
  const ns = object.ref.namespace;
  const own = ns === undefined ? undefined : [ns];
  const base = (path: FieldPath, selector: Selector) => ({
    object,
    selectorPath: path,
    selector,
    selectorAbsent: getPath(object.raw, path) === undefined || getPath(object.raw, path) === null,
  });
  if (kind === "Service" && object.group === "") {
    const path = ["spec", "selector"];
    return { ...base(path, selectorFromMap(getPath(object.raw, path), SERVICE_SELECTOR)), kind, selects: "pods", ...(own ? { namespaces: own } : {}) };
  }
  if (kind === "PodDisruptionBudget" && object.group === "policy") {
    const path = ["spec", "selector"];
    const semantics = object.ref.apiVersion === "policy/v1beta1" ? PDB_V1BETA1 : PDB_V1;
    const spec = getPath(object.raw, ["spec"]);
    const maxUnavailable = isRecord(spec) ? spec.maxUnavailable : undefined;
    const minAvailable = isRecord(spec) ? spec.minAvailable : undefined;
    return {
      ...base(path, compileLabelSelector(getPath(object.raw, path), semantics)),
      kind,
      selects: "pods",
      ...(own ? { namespaces: own } : {}),
      needsScale: maxUnavailable !== undefined && maxUnavailable !== null
        ? true
        : typeof minAvailable === "string" && minAvailable.endsWith("%"),
    };
  }
  if (kind === "NetworkPolicy" && object.group === "networking.k8s.io") {
    const path = ["spec", "podSelector"];
    return { ...base(path, compileLabelSelector(getPath(object.raw, path), EMPTY_IS_ALL)), kind, selects: "pods", ...(own ? { namespaces: own } : {}) };
  }
  if ((kind === "ServiceMonitor" || kind === "PodMonitor") && object.group === "monitoring.coreos.com") {
    const path = ["spec", "selector"];
    const namespaces = monitorNamespaces(object);
    return {
      ...base(path, compileLabelSelector(getPath(object.raw, path), EMPTY_IS_ALL)),
      kind,
      selects: kind === "ServiceMonitor" ? "services" : "pods",
      ...(namespaces ? { namespaces } : {}),
    };
  }
  return undefined;
}

/** prometheus-operator: `any: true` is every namespace, `matchNames` a list, default the monitor's own. */
function monitorNamespaces(object: KubeObject): string[] | undefined {
  const selector = getPath(object.raw, ["spec", "namespaceSelector"]);
  if (isRecord(selector)) {
    if (selector.any === true) return undefined;
    if (Array.isArray(selector.matchNames) && selector.matchNames.length > 0) {
      return selector.matchNames.filter((n): n is string => typeof n === "string");
    }
  }
  return object.ref.namespace === undefined ? [] : [object.ref.namespace];
}

export function hpaOf(object: KubeObject): HpaView | undefined {
  if (object.ref.kind !== "HorizontalPodAutoscaler" || object.group !== "autoscaling") return undefined;
  const targetPath = ["spec", "scaleTargetRef"];
  const ref = getPath(object.raw, targetPath);
  const fields = stringMap(ref);
  const target =
    fields.kind && fields.name
      ? { kind: fields.kind, name: fields.name, ...(fields.apiVersion ? { apiVersion: fields.apiVersion } : {}) }
      : undefined;
  return { object, targetPath, ...(target ? { target } : {}) };
}
