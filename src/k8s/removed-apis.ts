/**
 * API versions the API server no longer serves, by the release that removed them
 * (Kubernetes "Deprecated API Migration Guide"; k8s-rules.md §3.3). A manifest with one
 * cannot have been applied to a cluster of that version or later.
 */
import { versionAtLeast } from "./versions.ts";

/** `group/version` or `group/version/Kind` → the first release that does not serve it. */
const REMOVED: ReadonlyMap<string, string> = new Map([
  ...["DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy"].map((kind) => [`extensions/v1beta1/${kind}`, "1.16"] as const),
  ["apps/v1beta1", "1.16"],
  ["apps/v1beta2", "1.16"],
  ["extensions/v1beta1/Ingress", "1.22"],
  ["networking.k8s.io/v1beta1", "1.22"],
  ["admissionregistration.k8s.io/v1beta1", "1.22"],
  ["apiextensions.k8s.io/v1beta1", "1.22"],
  ["apiregistration.k8s.io/v1beta1", "1.22"],
  ["certificates.k8s.io/v1beta1", "1.22"],
  ["coordination.k8s.io/v1beta1", "1.22"],
  ["rbac.authorization.k8s.io/v1beta1", "1.22"],
  ["scheduling.k8s.io/v1beta1", "1.22"],
  ...["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"].map((kind) => [`storage.k8s.io/v1beta1/${kind}`, "1.22"] as const),
  ["batch/v1beta1", "1.25"],
  ["discovery.k8s.io/v1beta1", "1.25"],
  ["events.k8s.io/v1beta1", "1.25"],
  ["autoscaling/v2beta1", "1.25"],
  ["policy/v1beta1", "1.25"],
  ["node.k8s.io/v1beta1", "1.25"],
  ["autoscaling/v2beta2", "1.26"],
  ["flowcontrol.apiserver.k8s.io/v1beta1", "1.26"],
  ["storage.k8s.io/v1beta1/CSIStorageCapacity", "1.27"],
  ["flowcontrol.apiserver.k8s.io/v1beta2", "1.29"],
  ["flowcontrol.apiserver.k8s.io/v1beta3", "1.32"],
]);

/** Whether a cluster of `kubeVersion` no longer serves `kind` at `apiVersion`. */
export function removedBy(apiVersion: string, kind: string, kubeVersion: string): boolean {
  const removal = REMOVED.get(`${apiVersion}/${kind}`) ?? REMOVED.get(apiVersion);
  return removal !== undefined && versionAtLeast(kubeVersion, removal);
}
