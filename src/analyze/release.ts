/**
 * The Helm release an object belongs to, for the commands a finding gives: the release
 * and chart are known from the render (`chartguard check CHART`) or from the object's
 * own Helm annotations (`helm get manifest`, `kubectl get -o yaml`); what is not known is
 * left as a placeholder for the person to fill in.
 */
import { isRecord, stringEntry, type KubeObject } from "../model/object.ts";

export interface ReleaseInfo {
  /** ` -n NS` for namespaced objects, "" for cluster-scoped ones (for kubectl). */
  ns: string;
  /** `helm upgrade RELEASE CHART -n NAMESPACE` with the values the render used. */
  upgrade: string;
}

export function releaseOf(object: KubeObject): ReleaseInfo {
  const metadata = isRecord(object.raw.metadata) ? object.raw.metadata : {};
  // An empty annotation or label names nothing.
  const entry = (map: unknown, key: string) => stringEntry(map, key) || undefined;
  const rendered = object.doc.release;
  const release = entry(metadata.annotations, "meta.helm.sh/release-name") ?? rendered?.name ?? entry(metadata.labels, "app.kubernetes.io/instance");
  const helmNamespace = entry(metadata.annotations, "meta.helm.sh/release-namespace") ?? object.ref.namespace;
  return {
    ns: object.ref.namespace === undefined ? "" : ` -n ${object.ref.namespace}`,
    upgrade: [
      "helm upgrade",
      release === undefined ? "<release>" : shellWord(release),
      rendered?.chart === undefined ? "<chart>" : shellWord(rendered.chart),
      `-n ${helmNamespace === undefined ? "<namespace>" : shellWord(helmNamespace)}`,
      ...(rendered?.valuesArguments ?? []).map(shellWord),
    ].join(" "),
  };
}

/** `word` as one shell word: as it is when that is safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
