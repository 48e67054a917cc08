/** `chartguard upgrade` end to end: the real CLI in a child process, as a user runs it. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { helmBinaries } from "../helpers/helm.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function chartguard(args: readonly string[], input = "") {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "upgrade", ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const deployment = (chart: string, image: string, name = "web") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {helm.sh/chart: ${chart}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, helm.sh/chart: ${chart}}
    spec:
      containers: [{name: ${name}, image: "${image}"}]
`;

const rollout = (team: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  selector:
    matchLabels: {app: canary, team: ${team}}
  template:
    metadata:
      labels: {app: canary, team: ${team}}
    spec:
      containers: [{name: canary, image: "canary:1"}]
`;

const statefulSet = (name: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]
  volumeClaimTemplates:
    - metadata: {name: data}
`;

const configMap = (name: string, keep = false) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${keep ? "  annotations: {helm.sh/resource-policy: keep}\n" : ""}`;

let dir = "";
const file = (name: string) => join(dir, name);

before(() => {
  dir = mkdtempSync(join(tmpdir(), "chartguard-upgrade-"));
  writeFileSync(file("clean-from.yaml"), deployment("web-1.0.0", "web:1"));
  writeFileSync(file("clean-to.yaml"), deployment("web-1.0.0", "web:2"));
  writeFileSync(file("bump-from.yaml"), deployment("web-1.0.0", "web:1"));
  writeFileSync(file("bump-to.yaml"), deployment("web-1.0.1", "web:1"));
  writeFileSync(file("broken-from.yaml"), [rollout("a"), statefulSet("db"), configMap("old"), configMap("kept", true)].join("---\n"));
  writeFileSync(file("broken-to.yaml"), [rollout("b"), statefulSet("db-postgresql"), configMap("new")].join("---\n"));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("upgrade: a clean upgrade exits 0 and lists the image rollout", () => {
  const run = chartguard(["--from", file("clean-from.yaml"), "--to", file("clean-to.yaml")]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Upgrade plan/m);
  assert.match(run.stdout, /Nothing will be refused\./);
  assert.match(run.stdout, /Will restart \(1\):\n {2}- Deployment default\/web: image\n/);
});

test("upgrade: needless rollouts are warnings: exit 0 by default, 1 with --fail-on warning", () => {
  const args = ["--from", file("bump-from.yaml"), "--to", file("bump-to.yaml")];
  const run = chartguard(args);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Will restart \(1, 1 needlessly\):/);
  assert.match(run.stdout, /Deployment default\/web: labels only \(needless: only chart\/app version metadata changed\)/);
  assert.match(run.stdout, /needless-rollout/);
  assert.equal(chartguard([...args, "--fail-on", "warning"]).status, 1);
});

test("upgrade: errors exit 1; the text plan has every section", () => {
  const run = chartguard(["--from", file("broken-from.yaml"), "--to", file("broken-to.yaml")]);
  assert.equal(run.status, 1, run.stderr);
  const out = run.stdout;
  for (const section of [
    "Upgrade plan",
    "Will fail or break (",
    "  - Rollout default/canary spec.selector: rollout-selector-changed",
    "  - StatefulSet default/db-postgresql metadata.name: object-replaced",
    "Will restart (",
    "Created (1):\n  - ConfigMap default/new\n",
    "Deleted (1):\n  - ConfigMap default/old\n",
    "Replaced (delete + create) (1):\n  - StatefulSet default/db → StatefulSet default/db-postgresql (renamed)\n",
    "Left behind (resource-policy: keep) (1):\n  - ConfigMap default/kept\n",
    "Runbook (run in this order; each kubectl delete waits until the object is gone):\n  Before the upgrade:\n",
    "Findings",
  ]) {
    assert.ok(out.includes(section), `missing ${JSON.stringify(section)} in:\n${out}`);
  }
  // Every command once, in the runbook: none repeated under the findings.
  assert.match(out, /\n {4}\$ for i in 0; do kubectl patch pv/);
  assert.match(out, /\n {4}\$ kubectl get crd rollouts\.argoproj\.io/);
  assert.equal(out.split("$ helm upgrade ").length - 1, 1, out);
  assert.equal(chartguard(["--from", file("broken-from.yaml"), "--to", file("broken-to.yaml"), "--fail-on", "none"]).status, 0);
});

test("upgrade: -o json carries findings, summary, notes and the impact", () => {
  const run = chartguard(["--from", file("broken-from.yaml"), "--to", file("broken-to.yaml"), "-o", "json"]);
  assert.equal(run.status, 1, run.stderr);
  const json = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ["absent", "findings", "impact", "notes", "plan", "summary", "version"]);
  assert.deepEqual(json.absent, [], "nothing of the release as it is went away");
  const impact = json.impact as Record<string, unknown[]>;
  assert.deepEqual(Object.keys(impact).sort(), ["created", "deleted", "kept", "replaced", "rolled"]);
  assert.deepEqual(impact.replaced, [
    {
      from: { apiVersion: "apps/v1", kind: "StatefulSet", namespace: "default", name: "db" },
      to: { apiVersion: "apps/v1", kind: "StatefulSet", namespace: "default", name: "db-postgresql" },
      why: "rename",
    },
  ]);
  assert.deepEqual(impact.kept, [{ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "kept" }]);
  assert.deepEqual(impact.rolled, [
    {
      object: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", namespace: "default", name: "canary" },
      reasons: ["labels-only"],
      changes: ["spec.template.metadata.labels.team"],
      needless: false,
    },
  ]);
  const findings = json.findings as { rule: string; severity: string; path: string; object: { name: string }; location: { file: string; line: number }; remedy: { text: string; commands?: string[] } }[];
  const ours = findings.filter((f) => ["rollout-selector-changed", "object-replaced"].includes(f.rule));
  assert.deepEqual(
    ours.map((f) => [f.rule, f.severity, f.object.name, f.path, f.location.line]),
    [
      ["rollout-selector-changed", "error", "canary", "spec.selector", 6],
      ["object-replaced", "error", "db-postgresql", "metadata.name", 17],
    ],
  );
  for (const f of ours) {
    assert.equal(f.location.file, file("broken-to.yaml"));
    assert.ok(f.remedy.text.length > 0 && (f.remedy.commands ?? []).length > 0);
  }
  assert.deepEqual(json.summary, { error: findings.filter((f) => f.severity === "error").length, warning: findings.filter((f) => f.severity === "warning").length, info: findings.filter((f) => f.severity === "info").length, suppressed: 0 });
});

test("upgrade: --argo-rollouts-version and the config's argoRolloutsVersion pick the outcome of a changed Rollout selector", () => {
  const outcome = (args: string[]) => {
    const run = chartguard(["--from", file("broken-from.yaml"), "--to", file("broken-to.yaml"), "-o", "json", ...args]);
    assert.equal(run.status, 1, run.stderr);
    const findings = JSON.parse(run.stdout).findings as { rule: string; evidence: { outcome: string }; remedy: { commands: string[] } }[];
    const finding = findings.find((f) => f.rule === "rollout-selector-changed")!;
    return [finding.evidence.outcome, finding.remedy.commands.some((c) => c.startsWith("kubectl get crd"))];
  };
  assert.deepEqual(outcome(["--no-config"]), ["either", true]);
  assert.deepEqual(outcome(["--no-config", "--argo-rollouts-version", "1.8.2"]), ["canary-skipped", false]);
  assert.deepEqual(outcome(["--no-config", "--argo-rollouts-version", "v1.9"]), ["refused", false]);
  const config = file("argo-1.8.chartguard.yaml");
  writeFileSync(config, 'argoRolloutsVersion: "1.8"\n');
  assert.deepEqual(outcome(["--config", config]), ["canary-skipped", false]);
  assert.deepEqual(outcome(["--config", config, "--argo-rollouts-version", "1.10"]), ["refused", false], "the flag wins over the config");
  const bad = chartguard(["--from", file("broken-from.yaml"), "--to", file("broken-to.yaml"), "--argo-rollouts-version", "latest"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--argo-rollouts-version.*must look like/);
});

test("upgrade: --to from stdin", () => {
  const run = chartguard(["--from", file("clean-from.yaml"), "--to", "-", "-o", "json"], deployment("web-1.0.0", "web:3"));
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { impact: { rolled: { reasons: string[] }[] } };
  assert.deepEqual(json.impact.rolled.map((r) => r.reasons), [["image"]]);
});

test("upgrade: bad usage and unreadable input exit 2", () => {
  const missing = chartguard(["--from", file("clean-from.yaml")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--to/);
  const absent = chartguard(["--from", file("clean-from.yaml"), "--to", file("does-not-exist.yaml")]);
  assert.equal(absent.status, 2);
  assert.match(absent.stderr, /does-not-exist\.yaml/);
  assert.equal(chartguard(["--from", "-", "--to", "-"]).status, 2);
});

test("upgrade: a chart renamed between the versions is upgraded in place, under the release name it was installed with (--release, else the --from chart's name)", () => {
  const chart = (folder: string, name: string) => {
    mkdirSync(join(dir, folder, "templates"), { recursive: true });
    writeFileSync(join(dir, folder, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`);
    writeFileSync(join(dir, folder, "templates", "db.yaml"), statefulSet("{{ .Release.Name }}-db"));
  };
  chart("offer-old", "my-offer");
  chart("offer-new", "offer");
  for (const helm of helmBinaries()) {
    const impact = (extra: string[]) => {
      const run = chartguard(["--from", file("offer-old"), "--to", file("offer-new"), "--helm", helm.path, "--no-config", "-o", "json", ...extra]);
      assert.equal(run.status, 0, run.stderr);
      const { replaced, kept, created, deleted } = (JSON.parse(run.stdout) as { impact: Record<string, { name?: string }[]> }).impact;
      return { replaced: replaced!.length, created: created!.length, deleted: deleted!.length, kept: kept!.length };
    };
    assert.deepEqual(impact([]), { replaced: 0, created: 0, deleted: 0, kept: 0 }, `Helm ${helm.major}`);
    assert.deepEqual(impact(["--release", "shop"]), { replaced: 0, created: 0, deleted: 0, kept: 0 }, `Helm ${helm.major}`);
  }
});
