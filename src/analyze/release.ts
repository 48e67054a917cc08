/**
 * The Helm release an object belongs to, for the commands a finding gives: the release
 * and chart are known from the render (`chartguard check CHART`) or from the object's
 * own Helm annotations (`helm get manifest`, `kubectl get -o yaml`); what is not known is
 * left as a placeholder for the person to fill in. Every word is shell-quoted
 * (placeholders too: an unquoted `<chart>` would be a shell redirection).
 */
import { isRecord, stringEntry, type KubeObject } from "../model/object.ts";
import { shellCommand, ShellText } from "./shell.ts";

export interface ReleaseInfo {
  /** ` -n NS` for namespaced objects, nothing for cluster-scoped ones (for kubectl), quoted. */
  ns: ShellText;
  /** `helm upgrade RELEASE CHART -n NAMESPACE` with the values the render used. */
  upgrade: string;
}

const HELM_UPGRADE = "helm upgrade ";

/** Whether a remedy command is the `helm upgrade` itself (the commands before it prepare, those after it follow up). */
export function isHelmUpgrade(command: string): boolean {
  return command.startsWith(HELM_UPGRADE);
}

export function releaseOf(object: KubeObject): ReleaseInfo {
  const metadata = isRecord(object.raw.metadata) ? object.raw.metadata : {};
  // An empty annotation or label names nothing.
  const entry = (map: unknown, key: string) => stringEntry(map, key) || undefined;
  const rendered = object.doc.release;
  const release = entry(metadata.annotations, "meta.helm.sh/release-name") ?? rendered?.name ?? entry(metadata.labels, "app.kubernetes.io/instance");
  // The release's namespace, not the object's: a chart may place objects in other namespaces.
  const helmNamespace = entry(metadata.annotations, "meta.helm.sh/release-namespace") ?? (rendered?.namespace || undefined) ?? object.ref.namespace;
  return {
    ns: new ShellText(object.ref.namespace === undefined ? "" : ` ${shellCommand(["-n", object.ref.namespace])}`),
    upgrade: `${HELM_UPGRADE}${shellCommand([
      release ?? "<release>",
      rendered?.chart ?? "<chart>",
      "-n",
      helmNamespace ?? "<namespace>",
      ...(rendered?.valuesArguments ?? []),
    ])}`,
  };
}
