/**
 * The controllers that run pods, as data: which API groups serve each kind, and what each
 * does with its pods. Every entry names its section of docs/k8s-rules.md and its public
 * source (the Kubernetes or Argo Rollouts documentation of the kind). Kinds are matched
 * with their group: a custom resource that happens to be called `Deployment` is none of these.
 */

export interface PodController {
  /** The API groups that serve the kind ("" = core), legacy ones included. */
  groups: readonly string[];
  /** Keeps a set of long-running pods through a label selector (and ControllerRef adoption). */
  keepsPodsBySelector: boolean;
  /** Replaces its running pods when the pod template changes (a rolling update). */
  rollsOnTemplateChange: boolean;
  /**
   * Implements the /scale subresource, which the disruption controller needs for a PDB with
   * maxUnavailable or a percentage; otherwise the error it reports for the kind's pods.
   */
  scale: true | { error: string };
  /** `kubectl rollout status` follows it (apps/v1 kinds only). */
  rolloutStatus: boolean;
  /**
   * `kubectl drain` never evicts its pods (`--ignore-daemonsets` skips them; without the flag
   * the drain stops before evicting anything), so a budget that refuses their eviction holds
   * up no drain (§4).
   */
  drainSkipsPods?: true;
  /**
   * Claims only pods named after it (`<name>-<ordinal>`), orphans included, whatever else its
   * selector matches: another controller's pods are never adopted (§4).
   */
  claimsPodsByName?: true;
  section: string;
  source: string;
}

const DOCS = "https://kubernetes.io/docs/concepts/workloads/controllers";
/** What the disruption controller says of Job pods (k8s.io/kubernetes pkg/controller/disruption, §4). */
const JOBS_HAVE_NO_SCALE = { error: "jobs.batch does not implement the scale subresource" };
/** What it says of a pod whose owner it does not know. */
const NO_CONTROLLER_ERROR = "found no controllers for pod";

export const POD_CONTROLLERS: Readonly<Record<string, PodController>> = {
  Deployment: {
    groups: ["apps", "extensions"],
    keepsPodsBySelector: true,
    rollsOnTemplateChange: true,
    scale: true,
    rolloutStatus: true,
    section: "§1.2, §4",
    source: `${DOCS}/deployment/`,
  },
  ReplicaSet: {
    groups: ["apps", "extensions"],
    keepsPodsBySelector: true,
    // Keeps the pods it has: a template change reaches only pods it creates later.
    rollsOnTemplateChange: false,
    scale: true,
    rolloutStatus: false,
    section: "§1.3, §4",
    source: `${DOCS}/replicaset/`,
  },
  DaemonSet: {
    groups: ["apps", "extensions"],
    keepsPodsBySelector: true,
    rollsOnTemplateChange: true,
    scale: { error: "daemonsets.apps does not implement the scale subresource" },
    rolloutStatus: true,
    drainSkipsPods: true,
    section: "§1.4, §4",
    source: `${DOCS}/daemonset/`,
  },
  StatefulSet: {
    groups: ["apps"],
    keepsPodsBySelector: true,
    rollsOnTemplateChange: true,
    scale: true,
    rolloutStatus: true,
    claimsPodsByName: true,
    section: "§1.5, §4",
    // The adoption filter: kubernetes/kubernetes pkg/controller/statefulset/stateful_set.go getPodsForStatefulSet.
    source: `${DOCS}/statefulset/`,
  },
  ReplicationController: {
    groups: [""],
    keepsPodsBySelector: true,
    rollsOnTemplateChange: false,
    scale: true,
    rolloutStatus: false,
    section: "§4",
    source: `${DOCS}/replicationcontroller/`,
  },
  Rollout: {
    groups: ["argoproj.io"],
    keepsPodsBySelector: true,
    rollsOnTemplateChange: true,
    scale: true,
    rolloutStatus: false,
    section: "§1.17, §5",
    source: "https://argoproj.github.io/argo-rollouts/features/specification/",
  },
  Job: {
    groups: ["batch"],
    // Its selector is generated per Job (controller-uid); its pods run to completion.
    keepsPodsBySelector: false,
    // The template of a Job is immutable (§1.6).
    rollsOnTemplateChange: false,
    scale: JOBS_HAVE_NO_SCALE,
    rolloutStatus: false,
    section: "§1.6, §4",
    source: `${DOCS}/job/`,
  },
  CronJob: {
    groups: ["batch"],
    keepsPodsBySelector: false,
    // A template change reaches only the Jobs it creates later.
    rollsOnTemplateChange: false,
    // Its pods belong to the Jobs it creates.
    scale: JOBS_HAVE_NO_SCALE,
    rolloutStatus: false,
    section: "§1.7, §4",
    source: `${DOCS}/cron-jobs/`,
  },
};

/** The controller of a group and kind; undefined for anything else (a bare Pod, a custom resource). */
export function podController(group: string, kind: string): PodController | undefined {
  const controller = Object.hasOwn(POD_CONTROLLERS, kind) ? POD_CONTROLLERS[kind] : undefined;
  return controller?.groups.includes(group) ? controller : undefined;
}

/** Deployment, ReplicaSet, DaemonSet, StatefulSet, ReplicationController, Rollout: a kind change between them moves the same app. */
export function keepsPodsBySelector(group: string, kind: string): boolean {
  return podController(group, kind)?.keepsPodsBySelector === true;
}

/** Deployment, DaemonSet, StatefulSet, Rollout: a pod template change replaces the running pods. */
export function rollsOnTemplateChange(group: string, kind: string): boolean {
  return podController(group, kind)?.rollsOnTemplateChange === true;
}

/**
 * Why the disruption controller cannot count the pods of this controller for a PDB with
 * maxUnavailable or a percentage (§4): undefined when the controller implements /scale;
 * for a kind it does not know (a bare Pod, a custom resource), that it found no controller.
 */
export function scaleError(group: string, kind: string): string | undefined {
  const scale = podController(group, kind)?.scale;
  if (scale === undefined) return NO_CONTROLLER_ERROR;
  return scale === true ? undefined : scale.error;
}

/** DaemonSet: `kubectl drain` does not evict its pods (§4). */
export function drainSkipsPods(group: string, kind: string): boolean {
  return podController(group, kind)?.drainSkipsPods === true;
}

/** StatefulSet: its controller adopts no pod that is not named after it, whatever its selector matches (§4). */
export function claimsPodsByName(group: string, kind: string): boolean {
  return podController(group, kind)?.claimsPodsByName === true;
}

/** `kubectl rollout status` follows Deployments, DaemonSets and StatefulSets of apps/v1 (§4). */
export function followsRolloutStatus(group: string, kind: string): boolean {
  return group === "apps" && podController(group, kind)?.rolloutStatus === true;
}
