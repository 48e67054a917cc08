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
  const { kind, namespace } = object.ref;
  const group = object.group;
  // Every object of a dump comes through here: return before building anything for the many that select nothing.
  if (kind === "Service" && group === "") {
    return consumer(object, kind, "pods", SPEC_SELECTOR, (raw) => selectorFromMap(raw, SERVICE_SELECTOR), ownNamespace(namespace));
  }
  if (kind === "PodDisruptionBudget" && group === "policy") {
    const semantics = object.ref.apiVersion === "policy/v1beta1" ? PDB_V1BETA1 : PDB_V1;
    const spec = getPath(object.raw, ["spec"]);
    const maxUnavailable = isRecord(spec) ? spec.maxUnavailable : undefined;
    const minAvailable = isRecord(spec) ? spec.minAvailable : undefined;
    const needsScale = maxUnavailable !== undefined && maxUnavailable !== null ? true : typeof minAvailable === "string" && minAvailable.endsWith("%");
    const pdb = consumer(object, kind, "pods", SPEC_SELECTOR, (raw) => compileLabelSelector(raw, semantics), ownNamespace(namespace));
    return { ...pdb, kind, needsScale };
  }
  if (kind === "NetworkPolicy" && group === "networking.k8s.io") {
    return consumer(object, kind, "pods", ["spec", "podSelector"], (raw) => compileLabelSelector(raw, EMPTY_IS_ALL), ownNamespace(namespace));
  }
  if ((kind === "ServiceMonitor" || kind === "PodMonitor") && group === "monitoring.coreos.com") {
    const selects = kind === "ServiceMonitor" ? "services" : "pods";
    return consumer(object, kind, selects, SPEC_SELECTOR, (raw) => compileLabelSelector(raw, EMPTY_IS_ALL), monitorNamespaces(object));
  }
  return undefined;
}

const SPEC_SELECTOR: FieldPath = ["spec", "selector"];

function ownNamespace(namespace: string | undefined): string[] | undefined {
  return namespace === undefined ? undefined : [namespace];
}

function consumer(
  object: KubeObject,
  kind: ConsumerKind,
  selects: SelectorConsumer["selects"],
  selectorPath: FieldPath,
  compile: (raw: unknown) => Selector,
  namespaces: readonly string[] | undefined,
): SelectorConsumer {
  const raw = getPath(object.raw, selectorPath);
  const found: SelectorConsumer = { object, kind, selects, selectorPath, selector: compile(raw), selectorAbsent: raw === undefined || raw === null };
  if (namespaces !== undefined) found.namespaces = namespaces;
  return found;
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
