/**
 * What a cluster has that no chart's render shows: the pods Kubernetes runs for itself,
 * the Service every cluster has, and which custom resources can make pods through their
 * operator. dangling-selector reads these before it says a selector matches nothing.
 */
import type { Labels } from "./selector.ts";
import type { KubeObject } from "./object.ts";
import { isCustomGroup } from "./workloads.ts";

/**
 * The namespace of the cluster's own pods: control-plane static pods (kube-apiserver,
 * kube-scheduler, kube-controller-manager, etcd), kube-proxy, CoreDNS. Charts that monitor
 * the cluster render Services and monitors there for pods they never render.
 */
export const CLUSTER_COMPONENTS_NAMESPACE = "kube-system";

export interface BuiltinService {
  namespace: string;
  name: string;
  labels: Labels;
}

/** The API server's own Service, which the API server creates and labels in every cluster. */
export const BUILTIN_SERVICES: readonly BuiltinService[] = [{ namespace: "default", name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } }];

/**
 * Custom resource kinds that hold configuration only: their controllers make no pods.
 * `*` stands for every kind of the group. Any other custom resource may be turned into
 * pods by its operator (Prometheus, Alertmanager, CrdbCluster, Elasticsearch, Kafka, ...).
 */
const CONFIGURATION_ONLY: ReadonlyMap<string, ReadonlySet<string> | "*"> = new Map<string, ReadonlySet<string> | "*">([
  ["monitoring.coreos.com", new Set(["ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ScrapeConfig", "AlertmanagerConfig"])],
  ["cert-manager.io", "*"],
  ["acme.cert-manager.io", "*"],
  ["networking.istio.io", new Set(["VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "EnvoyFilter", "WorkloadEntry", "WorkloadGroup"])],
  ["security.istio.io", "*"],
  ["external-secrets.io", new Set(["ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore", "PushSecret"])],
  ["keda.sh", new Set(["ScaledObject", "TriggerAuthentication", "ClusterTriggerAuthentication"])],
  ["traefik.io", "*"],
  ["traefik.containo.us", "*"],
]);

/** A custom resource whose operator may run pods for it (not one of the known configuration-only kinds). */
export function mayRunPods(object: KubeObject): boolean {
  if (!isCustomGroup(object.group)) return false;
  const known = CONFIGURATION_ONLY.get(object.group);
  return known === undefined || (known !== "*" && !known.has(object.ref.kind));
}

/**
 * Labels the controllers put on the pods they create (pod-template-hash, the StatefulSet
 * pod's name and index, the Job's name and uid): on the running pods, never in a template.
 */
const CONTROLLER_LABELS: ReadonlySet<string> = new Set([
  "pod-template-hash",
  "rollouts-pod-template-hash",
  "controller-revision-hash",
  "controller-uid",
  "job-name",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
]);

export function isControllerLabel(key: string): boolean {
  return CONTROLLER_LABELS.has(key) || key.startsWith("batch.kubernetes.io/");
}

const RELABELLING_VERBS = new Set(["patch", "update", "*"]);

/**
 * A Role or ClusterRole that lets its subjects patch or update pods: a controller of the
 * release may then label pods at run time (an operator marking its leader, say), labels no
 * template shows.
 */
export function grantsPodRelabelling(object: KubeObject): boolean {
  if (object.group !== "rbac.authorization.k8s.io" || (object.ref.kind !== "Role" && object.ref.kind !== "ClusterRole")) return false;
  const rules = (object.raw as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return false;
  const has = (list: unknown, wanted: (item: string) => boolean) => Array.isArray(list) && list.some((item) => typeof item === "string" && wanted(item));
  return rules.some((rule) => {
    const { apiGroups, resources, verbs } = (rule ?? {}) as { apiGroups?: unknown; resources?: unknown; verbs?: unknown };
    return has(apiGroups, (g) => g === "" || g === "*") && has(resources, (r) => r === "pods" || r === "*") && has(verbs, (v) => RELABELLING_VERBS.has(v));
  });
}
