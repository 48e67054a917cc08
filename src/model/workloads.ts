/**
 * Pod-owning workloads: where each kind keeps its pod template and selector, and what
 * the API server makes of that selector (k8s-rules.md §1.2–1.7, §1.17, §2.3).
 */
import { POD_CONTROLLERS } from "../k8s/controllers.ts";
import type { FieldPath } from "../load/yaml.ts";
import { getPath, isRecord, stringMap, type KubeObject } from "./object.ts";
import { compileLabelSelector, selectorFromMap, type Labels, type Selector, type SelectorSemantics } from "./selector.ts";

export interface Workload {
  object: KubeObject;
  /** Path of the pod template (metadata + spec) inside the object; [] for a bare Pod. */
  templatePath: FieldPath;
  /** The pod template's labels (string values only; invalid-label reports the others). */
  podLabels: Labels;
  podAnnotations: Labels;
  /** Path of the user-written selector, when the kind has one the user controls. */
  selectorPath?: FieldPath;
  /** The selector the controller uses to own pods, as the API server reads it. */
  selector?: Selector;
  /** The selector may not change after creation (immutable-field on upgrade). */
  selectorImmutable: boolean;
  /** The API server rejects a nil or empty selector for this kind. */
  selectorRequired: boolean;
  /** Pods that run to completion (Jobs, CronJobs, hook and test pods), not long-running servers. */
  runsToCompletion: boolean;
  /**
   * A custom resource recognised by its shape (a pod template at spec.template), not by its
   * kind: its pods are known, but what its controller (not the API server) makes of them is not.
   */
  generic?: boolean;
}

interface WorkloadShape {
  groups: readonly string[];
  templatePath: FieldPath;
  selectorPath?: FieldPath;
  selectorKind?: "labelSelector" | "map";
  semantics?: SelectorSemantics;
  selectorRequired: boolean;
  immutableSelector: (object: KubeObject) => boolean;
  runsToCompletion: boolean;
}

const REQUIRED: SelectorSemantics = { nil: "nothing", empty: "nothing" };
// Legacy versions through which Deployment/ReplicaSet/DaemonSet selectors were mutable.
const MUTABLE_SELECTOR_VERSIONS = new Set(["extensions/v1beta1", "apps/v1beta1"]);
const immutableUnlessLegacy = (o: KubeObject) => !MUTABLE_SELECTOR_VERSIONS.has(o.ref.apiVersion);

/** The API groups that serve a controller kind (src/k8s/controllers.ts). */
function groupsOf(kind: string): readonly string[] {
  return POD_CONTROLLERS[kind]!.groups;
}

/** The controllers with a required, label-selector `spec.selector` over `spec.template`. */
function selectorController(kind: string, immutableSelector: WorkloadShape["immutableSelector"]): WorkloadShape {
  return {
    groups: groupsOf(kind),
    templatePath: ["spec", "template"],
    selectorPath: ["spec", "selector"],
    selectorKind: "labelSelector",
    semantics: REQUIRED,
    selectorRequired: true,
    immutableSelector,
    runsToCompletion: false,
  };
}

const SHAPES: Record<string, WorkloadShape> = {
  Deployment: selectorController("Deployment", immutableUnlessLegacy),
  ReplicaSet: selectorController("ReplicaSet", (o) => o.ref.apiVersion !== "extensions/v1beta1"),
  DaemonSet: selectorController("DaemonSet", (o) => o.ref.apiVersion !== "extensions/v1beta1"),
  StatefulSet: selectorController("StatefulSet", () => true),
  Rollout: selectorController("Rollout", () => true),
  ReplicationController: {
    groups: groupsOf("ReplicationController"),
    templatePath: ["spec", "template"],
    selectorPath: ["spec", "selector"],
    selectorKind: "map",
    selectorRequired: false,
    immutableSelector: () => false,
    runsToCompletion: false,
  },
  Job: {
    groups: groupsOf("Job"),
    templatePath: ["spec", "template"],
    selectorRequired: false,
    immutableSelector: (o) => getPath(o.raw, ["spec", "manualSelector"]) === true,
    runsToCompletion: true,
  },
  CronJob: {
    groups: groupsOf("CronJob"),
    templatePath: ["spec", "jobTemplate", "spec", "template"],
    selectorRequired: false,
    immutableSelector: () => false,
    runsToCompletion: true,
  },
  Pod: {
    groups: [""],
    templatePath: [],
    selectorRequired: false,
    immutableSelector: () => false,
    runsToCompletion: false,
  },
};

/** Kinds with a pod template that Kubernetes (or Argo Rollouts) runs. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(Object.keys(SHAPES));

export function workloadOf(object: KubeObject): Workload | undefined {
  const shape = SHAPES[object.ref.kind];
  if (!shape || !shape.groups.includes(object.group)) return genericWorkload(object);
  const template = getPath(object.raw, shape.templatePath);
  const metadata = isRecord(template) ? template.metadata : undefined;
  const podLabels = stringMap(isRecord(metadata) ? metadata.labels : undefined);
  const podAnnotations = stringMap(isRecord(metadata) ? metadata.annotations : undefined);
  const restartPolicy = getPath(template, ["spec", "restartPolicy"]);
  // A hook Pod runs to completion (Helm waits for it to); a hook Deployment keeps its pods running like any other.
  const runsToCompletion =
    shape.runsToCompletion || (object.ref.kind === "Pod" && (object.hooks.length > 0 || (restartPolicy !== undefined && restartPolicy !== "Always")));
  const workload: Workload = {
    object,
    templatePath: shape.templatePath,
    podLabels,
    podAnnotations,
    selectorImmutable: shape.immutableSelector(object),
    selectorRequired: shape.selectorRequired,
    runsToCompletion,
  };
  const selector = ownSelector(object, shape, podLabels);
  if (selector) {
    workload.selectorPath = selector.path;
    workload.selector = selector.selector;
  }
  return workload;
}

function ownSelector(
  object: KubeObject,
  shape: WorkloadShape,
  podLabels: Labels,
): { path: FieldPath; selector: Selector } | undefined {
  if (object.ref.kind === "Job") {
    // Unless manualSelector is set, the API server generates a controller-uid selector
    // that matches this Job's pods only.
    if (getPath(object.raw, ["spec", "manualSelector"]) !== true) return undefined;
    const path = ["spec", "selector"];
    return { path, selector: compileLabelSelector(getPath(object.raw, path), REQUIRED) };
  }
  if (!shape.selectorPath) return undefined;
  const raw = getPath(object.raw, shape.selectorPath);
  if (shape.selectorKind === "map") {
    // A ReplicationController without a selector is defaulted to its template labels.
    const map = raw === undefined || raw === null ? podLabels : raw;
    return { path: shape.selectorPath, selector: selectorFromMap(map, REQUIRED) };
  }
  return { path: shape.selectorPath, selector: compileLabelSelector(raw, shape.semantics ?? REQUIRED) };
}

/**
 * A custom resource (a dotted API group outside *.k8s.io) with a pod template at spec.template
 * (a PodSpec needs containers), such as OpenKruise's CloneSet: its pods are indexed
 * like any workload's, so Services and PDBs that select them are not "dangling", and its
 * spec.selector, when present, takes part in overlap and mismatch checks. A plain label map
 * is read as a map selector, anything with matchLabels/matchExpressions as a LabelSelector.
 * Nothing is assumed about immutability or required fields: that is up to its controller.
 * A template without containers is some other object's template (an ApplicationSet's
 * Application, whose `{{.env}}` placeholders its controller substitutes), not pods.
 */
function genericWorkload(object: KubeObject): Workload | undefined {
  if (!isCustomGroup(object.group)) return undefined;
  const templatePath: FieldPath = ["spec", "template"];
  const template = getPath(object.raw, templatePath);
  if (!isRecord(template)) return undefined;
  const metadata = isRecord(template.metadata) ? template.metadata : undefined;
  const podSpec = isRecord(template.spec) ? template.spec : undefined;
  if (!Array.isArray(podSpec?.containers)) return undefined;
  const podLabels = stringMap(metadata?.labels);
  const workload: Workload = {
    object,
    templatePath,
    podLabels,
    podAnnotations: stringMap(metadata?.annotations),
    selectorImmutable: false,
    selectorRequired: false,
    runsToCompletion: object.hooks.length > 0,
    generic: true,
  };
  const selectorPath: FieldPath = ["spec", "selector"];
  const raw = getPath(object.raw, selectorPath);
  if (isRecord(raw)) {
    const labelSelector = Object.hasOwn(raw, "matchLabels") || Object.hasOwn(raw, "matchExpressions");
    workload.selectorPath = selectorPath;
    workload.selector = labelSelector ? compileLabelSelector(raw, REQUIRED) : selectorFromMap(raw, REQUIRED);
  }
  return workload;
}

export function isCustomGroup(group: string): boolean {
  return group.includes(".") && !group.endsWith(".k8s.io") && group !== "k8s.io";
}

/** The images of a workload's containers and init containers, with their paths in the object. */
export function containerImages(workload: Workload): { image: string; path: FieldPath }[] {
  const spec = getPath(workload.object.raw, [...workload.templatePath, "spec"]);
  if (!isRecord(spec)) return [];
  const images: { image: string; path: FieldPath }[] = [];
  for (const list of ["initContainers", "containers"] as const) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      if (isRecord(container) && typeof container.image === "string") {
        images.push({ image: container.image, path: [...workload.templatePath, "spec", list, i, "image"] });
      }
    });
  }
  return images;
}

/** The names of the container ports the workload's pods declare (containers and sidecar init containers). */
function namedPorts(workload: Workload): Set<string> {
  const spec = getPath(workload.object.raw, [...workload.templatePath, "spec"]);
  const names = new Set<string>();
  if (!isRecord(spec)) return names;
  const containers = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers.filter((c) => isRecord(c) && c.restartPolicy === "Always") : [])];
  for (const container of containers) {
    if (!isRecord(container) || !Array.isArray(container.ports)) continue;
    for (const port of container.ports) if (isRecord(port) && typeof port.name === "string") names.add(port.name);
  }
  return names;
}

/**
 * Whether a Service's endpoints take in the workload's pods. The endpoint controllers resolve
 * each Service port on each selected pod (FindPort in kubernetes/pkg/api/v1/pod/util.go): a
 * numeric targetPort (or none: the port itself) reaches any pod, a named one only a pod whose
 * containers declare a port of that name; a pod with no resolvable port gets no traffic. A
 * Service without ports (headless, DNS only) lists every selected pod.
 */
export function reachedByService(service: KubeObject, workload: Workload): boolean {
  const ports = getPath(service.raw, ["spec", "ports"]);
  if (!Array.isArray(ports) || ports.length === 0) return true;
  let declared: Set<string> | undefined;
  return ports.some((port) => {
    const target = isRecord(port) ? port.targetPort : undefined;
    if (typeof target !== "string" || /^\d+$/.test(target)) return true;
    declared ??= namedPorts(workload);
    return declared.has(target);
  });
}
