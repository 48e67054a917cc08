/**
 * The kubectl commands of migration runbooks, built in one place with one namespace
 * convention: ` -n NAMESPACE` after the name for namespaced objects, nothing for
 * cluster-scoped ones (releaseOf's `ns`). The runbook (report/runbook.ts) orders and
 * deduplicates commands by their text, so the same deletion must always read the same.
 * The Kubernetes facts (resource names, `--cascade=orphan`) are from
 * https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/ and
 * docs/k8s-rules.md §3.4 (an orphaning delete keeps the pods and claims, which the new object adopts).
 */
import type { KubeObject } from "../model/object.ts";
import { releaseOf } from "./release.ts";
import { sh } from "./shell.ts";

/** `kubectl delete <kind> <name> -n <ns> --cascade=orphan`: the object goes, its pods (and a StatefulSet's claims) stay. */
export function orphanDeleteCommand(object: KubeObject): string {
  return `${deleteCommand(object)} --cascade=orphan`;
}

/** `kubectl delete <kind> <name> -n <ns>`: the object and what it owns go. */
export function deleteCommand(object: KubeObject): string {
  const { kind, name } = object.ref;
  return sh`kubectl delete ${kind.toLowerCase()} ${name}${releaseOf(object).ns}`;
}
