import assert from "node:assert/strict";
import { test } from "node:test";
import { upgradeOf, yaml } from "../../helpers/upgrade-cases.ts";

interface Spec {
  kind?: string;
  apiVersion?: string;
  name?: string;
  replicas?: number;
  podLabels?: string;
  podAnnotations?: string;
  objectAnnotations?: string;
  containers?: string;
  extra?: string;
}

function workload(o: Spec = {}): string {
  return yaml`
    apiVersion: ${o.apiVersion ?? "apps/v1"}
    kind: ${o.kind ?? "Deployment"}
    metadata:
      name: ${o.name ?? "web"}
      annotations: ${o.objectAnnotations ?? "{}"}
    spec:
      replicas: ${o.replicas ?? 2}
      selector: {matchLabels: {app: web}}
      template:
        metadata:
          labels: {app: web, ${o.podLabels ?? ""}}
          annotations: ${o.podAnnotations ?? "{}"}
        spec:
          containers: ${o.containers ?? `[{name: web, image: "web:1", env: [{name: A, value: "1"}]}]`}
      ${o.extra ?? ""}
  `;
}

function rolled(from: string, to: string) {
  return upgradeOf(from, to).impact.rolled.map((r) => ({ object: `${r.object.kind}/${r.object.name}`, reasons: r.reasons, needless: r.needless }));
}

const c = (fields: string) => `[{name: web, image: "web:1", env: [{name: A, value: "1"}], ${fields}}]`;

test("impact: an image change rolls, and says where", () => {
  const result = upgradeOf(workload(), workload({ containers: `[{name: web, image: "web:2", env: [{name: A, value: "1"}]}]` }));
  assert.deepEqual(result.impact.rolled, [
    {
      object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" },
      reasons: ["image"],
      changes: ["spec.template.spec.containers[0].image"],
      needless: false,
    },
  ]);
});

test("impact: each kind of template change has its reason", () => {
  const cases: [string, string, string[]][] = [
    ["env", `[{name: web, image: "web:1", env: [{name: A, value: "2"}]}]`, ["env"]],
    ["resources", c("resources: {limits: {cpu: 500m}}"), ["resources"]],
    ["command", c("args: [--verbose]"), ["command"]],
    ["probes", c("readinessProbe: {httpGet: {port: 80}}"), ["probes"]],
    ["volume mounts", c("volumeMounts: [{name: x, mountPath: /x}]"), ["volumes"]],
    ["a sidecar inserted first", `[{name: proxy, image: "envoy:1"}, {name: web, image: "web:1", env: [{name: A, value: "1"}]}]`, ["containers"]],
    ["a pull policy that is not the default", c("imagePullPolicy: Always"), ["pod-spec"]],
  ];
  for (const [what, containers, reasons] of cases) {
    assert.deepEqual(rolled(workload(), workload({ containers })), [{ object: "Deployment/web", reasons, needless: false }], what);
  }
  assert.deepEqual(rolled(workload(), workload({ extra: "  " })), [], "sanity: nothing changed");
  assert.deepEqual(
    rolled(workload(), workload().replace("      containers:", "      volumes: [{name: x, emptyDir: {}}]\n      containers:")),
    [{ object: "Deployment/web", reasons: ["volumes"], needless: false }],
  );
});

test("impact: labels only, labels with something else, checksum annotations, other annotations", () => {
  assert.deepEqual(rolled(workload({ podLabels: "team: a" }), workload({ podLabels: "team: b" })), [
    { object: "Deployment/web", reasons: ["labels-only"], needless: false },
  ]);
  assert.deepEqual(
    rolled(workload({ podLabels: "team: a" }), workload({ podLabels: "team: b", containers: `[{name: web, image: "web:2", env: [{name: A, value: "1"}]}]` })),
    [{ object: "Deployment/web", reasons: ["image", "labels"], needless: false }],
  );
  assert.deepEqual(rolled(workload({ podAnnotations: "{checksum/config: a}" }), workload({ podAnnotations: "{checksum/config: b}" })), [
    { object: "Deployment/web", reasons: ["config-checksum"], needless: true },
  ]);
  assert.deepEqual(rolled(workload(), workload({ podAnnotations: "{kubectl.kubernetes.io/restartedAt: now}" })), [
    { object: "Deployment/web", reasons: ["annotations"], needless: false },
  ]);
});

test("impact: volatile labels only are marked needless", () => {
  const labels = (v: string) => `helm.sh/chart: web-${v}, app.kubernetes.io/version: "${v}"`;
  const result = upgradeOf(workload({ podLabels: labels("1.0.0") }), workload({ podLabels: labels("1.0.1") }));
  assert.deepEqual(result.impact.rolled.map((r) => [r.reasons, r.needless, r.changes]), [
    [
      ["labels-only"],
      true,
      ["spec.template.metadata.labels.app.kubernetes.io/version", "spec.template.metadata.labels.helm.sh/chart"],
    ],
  ]);
});

test("impact: no false alarms", () => {
  const base = workload();
  const cases: [string, string, string][] = [
    ["reordered documents", `${base}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n`, `apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n${base}`],
    ["a replicas change", base, workload({ replicas: 5 })],
    ["annotations on the object's metadata only", base, workload({ objectAnnotations: "{deployed-by: ci, helm.sh/chart: web-2}" })],
    ["null vs absent vs {} vs []", workload({ podAnnotations: "null", extra: "strategy: {}" }), workload({ podAnnotations: "{}", extra: "minReadySeconds: null" }).replace("  selector:", "  selector:").replace("env: [{name: A, value: \"1\"}]", "env: [{name: A, value: \"1\"}], args: []")],
    [
      "defaults spelled out (imagePullPolicy matching the default, protocol TCP, terminationMessagePath, dnsPolicy)",
      workload({ containers: c("ports: [{containerPort: 80}]") }),
      workload({ containers: c("ports: [{containerPort: 80, protocol: TCP}], imagePullPolicy: IfNotPresent, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File"), extra: "" }).replace("      containers:", "      dnsPolicy: ClusterFirst\n      restartPolicy: Always\n      containers:"),
    ],
    ["Secret data changes (a random password) without a checksum annotation", `${base}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {p: YQ==}\n`, `${base}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {p: Yg==}\n`],
    ["a CronJob template change (only future Jobs)", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: gc}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a:1}]}}}}}\n", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: gc}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a:2}]}}}}}\n"],
    ["a hook Deployment (recreated, not rolled)", workload({ objectAnnotations: "{helm.sh/hook: post-install}" }), workload({ objectAnnotations: "{helm.sh/hook: post-install}", containers: `[{name: web, image: "web:2"}]` })],
    ["the template's container order kept, key order changed", workload(), workload({ containers: `[{env: [{value: "1", name: A}], image: "web:1", name: web}]` })],
    ["a quantity written differently (1024Mi = 1Gi)", workload({ containers: c("resources: {limits: {memory: 1Gi}}") }), workload({ containers: c("resources: {limits: {memory: 1024Mi}}") })],
  ];
  for (const [what, from, to] of cases) assert.deepEqual(rolled(from, to), [], what);
});

test("impact: a Secret whose data changes rolls only through a checksum annotation, as a real (not needless) change", () => {
  const secret = (p: string) => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {p: ${p}}\n`;
  assert.deepEqual(rolled(workload({ podAnnotations: "{checksum/secret: a}" }) + secret("YQ=="), workload({ podAnnotations: "{checksum/secret: b}" }) + secret("Yg==")), [
    { object: "Deployment/web", reasons: ["config-checksum"], needless: false },
  ]);
});

test("impact: Argo Rollouts compare the template as written (a CR is not defaulted)", () => {
  const rollout = { kind: "Rollout", apiVersion: "argoproj.io/v1alpha1" };
  assert.deepEqual(rolled(workload(rollout), workload({ ...rollout, containers: c("imagePullPolicy: IfNotPresent") })), [
    { object: "Rollout/web", reasons: ["pod-spec"], needless: false },
  ]);
});

test("impact: StatefulSet and DaemonSet with OnDelete are marked", () => {
  for (const kind of ["StatefulSet", "DaemonSet"]) {
    const result = upgradeOf(
      workload({ kind, extra: "updateStrategy: {type: OnDelete}" }),
      workload({ kind, extra: "updateStrategy: {type: OnDelete}", containers: `[{name: web, image: "web:2", env: [{name: A, value: "1"}]}]` }),
    );
    assert.equal(result.impact.rolled[0]?.onDelete, true, kind);
  }
  assert.equal(upgradeOf(workload(), workload({ containers: `[{name: web, image: "web:2"}]` })).impact.rolled[0]?.onDelete, undefined);
});

test("impact: created, deleted, replaced and kept", () => {
  const cm = (name: string, keep = false) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}${keep ? ", annotations: {helm.sh/resource-policy: keep}" : ""}}\n`;
  const from = [workload(), cm("old"), cm("kept", true)].join("---\n");
  const to = [workload({ name: "web-server" }), cm("new")].join("---\n");
  const { impact } = upgradeOf(from, to);
  const short = (refs: { kind: string; name: string }[]) => refs.map((r) => `${r.kind}/${r.name}`);
  assert.deepEqual(short(impact.created), ["Deployment/web-server", "ConfigMap/new"]);
  assert.deepEqual(short(impact.deleted), ["Deployment/web", "ConfigMap/old"]);
  assert.deepEqual(short(impact.kept), ["ConfigMap/kept"]);
  assert.deepEqual(
    impact.replaced.map((r) => [`${r.from.kind}/${r.from.name}`, `${r.to.kind}/${r.to.name}`, r.why]),
    [["Deployment/web", "Deployment/web-server", "rename"]],
  );
  assert.deepEqual(impact.rolled, [], "a renamed Deployment is created, not rolled");
});
