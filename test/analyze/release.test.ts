import assert from "node:assert/strict";
import { test } from "node:test";
import { releaseOf } from "../../src/analyze/release.ts";
import { parseYamlStream, type HelmRelease } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";

function objectOf(manifest: string, rendered?: HelmRelease) {
  const docs = parseYamlStream(manifest, "case.yaml");
  if (rendered) for (const doc of docs) doc.release = rendered;
  return objectsFromDocuments(docs, { namespace: "default" }).objects[0]!;
}

const CASES: { name: string; manifest: string; rendered?: HelmRelease; ns: string; upgrade: string }[] = [
  {
    name: "a deployed object (kubectl get, helm get manifest): Helm's own annotations name the release and its namespace",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  annotations: {meta.helm.sh/release-name: web-prod, meta.helm.sh/release-namespace: shop}\n  labels: {app.kubernetes.io/instance: other}\n",
    ns: " -n shop",
    upgrade: "helm upgrade web-prod '<chart>' -n shop",
  },
  {
    name: "a rendered chart: the release, the chart as the user named it, and the values it was rendered with",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app.kubernetes.io/instance: other}\n",
    rendered: { name: "web", namespace: "default", chart: "charts/my web", valuesArguments: ["--values=prod.yaml", "--set=a=b", "--set-json=x={\"k\": 1}"] },
    ns: " -n default",
    upgrade: `helm upgrade web 'charts/my web' -n default --values=prod.yaml --set=a=b '--set-json=x={"k": 1}'`,
  },
  {
    name: "a chart at a git revision: no path helm upgrade could take",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    rendered: { name: "web", namespace: "default", valuesArguments: [] },
    ns: " -n default",
    upgrade: "helm upgrade web '<chart>' -n default",
  },
  {
    name: "only the instance label: it names the release by Helm's convention",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app.kubernetes.io/instance: web-a}\n",
    ns: " -n default",
    upgrade: "helm upgrade web-a '<chart>' -n default",
  },
  {
    name: "a rendered object the chart puts in another namespace: helm upgrade takes the release's namespace, kubectl the object's",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: monitoring\n",
    rendered: { name: "web", namespace: "shop", chart: "charts/web", valuesArguments: [] },
    ns: " -n monitoring",
    upgrade: "helm upgrade web charts/web -n shop",
  },
  {
    name: "hostile names from the manifest: each is one quoted shell word",
    manifest: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: \"a'; touch /tmp/x; echo '\"\n  annotations: {meta.helm.sh/release-name: \"$(reboot)\"}\n",
    ns: ` -n 'a'\\''; touch /tmp/x; echo '\\'''`,
    upgrade: `helm upgrade '$(reboot)' '<chart>' -n 'a'\\''; touch /tmp/x; echo '\\'''`,
  },

  {
    name: "a cluster-scoped object with nothing to go by: placeholders, and no -n for kubectl",
    manifest: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n  annotations: {meta.helm.sh/release-name: ''}\n",
    ns: "",
    upgrade: "helm upgrade '<release>' '<chart>' -n '<namespace>'",
  },
];

for (const c of CASES) {
  test(`releaseOf: ${c.name}`, () => {
    const release = releaseOf(objectOf(c.manifest, c.rendered));
    assert.deepEqual({ ns: String(release.ns), upgrade: release.upgrade }, { ns: c.ns, upgrade: c.upgrade });
  });
}
