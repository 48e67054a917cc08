/**
 * Remedy commands and the upgrade runbook are pasted into a shell by reviewers: a value
 * from the chart (a label value, a name, a namespace, a values file) must stay one
 * argument. Proven by running every command through a real bash, with `kubectl` and `helm`
 * replaced by functions that only print the arguments they receive.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import { parseYamlStream, type HelmRelease } from "../../src/load/yaml.ts";
import { upgradeRunbook } from "../../src/report/runbook.ts";
import { tempDir } from "./support.ts";

const HOSTILE = "y'; touch pwned; echo '";
const RELEASE: HelmRelease = { name: "shop", namespace: "prod", chart: "charts/$(touch pwned)", valuesArguments: ["--values=a b;touch pwned.yaml", "--set=x=`touch pwned`"] };

/** The argument lists the commands' kubectl and helm calls received, one list per call. */
function runInBash(command: string, cwd: string): string[][] {
  const stubs = 'kubectl() { printf "%s\\0" kubectl "$@"; printf "\\n"; }; helm() { printf "%s\\0" helm "$@"; printf "\\n"; }';
  const run = spawnSync("bash", ["-c", `${stubs}\n${command}`], { cwd, encoding: "utf8" });
  assert.equal(run.status, 0, `${command}\n${run.stderr}`);
  return run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\0").slice(0, -1));
}

const deployment = (team: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web, team: ${JSON.stringify(team)}}}
  template:
    metadata: {labels: {app: web, team: ${JSON.stringify(team)}}}
    spec: {containers: [{name: web, image: web:1}]}
`;

test("shell quoting: a hostile selector value, chart path and values stay single arguments in every command", () => {
  const docs = (text: string, file: string) => parseYamlStream(text, file).map((doc) => ({ ...doc, release: RELEASE }));
  const result = upgradeDocuments(docs(deployment(HOSTILE), "from.yaml"), docs(deployment("b"), "to.yaml"), { namespace: "prod" });
  const runbook = upgradeRunbook(result.findings, result.impact).map((s) => s.command);
  const commands = [...new Set([...result.findings.flatMap((f) => f.remedy.commands ?? []), ...runbook])];
  assert.ok(commands.some((c) => c.includes("touch pwned; echo")), "the hostile value reaches a command");
  const cwd = tempDir("quoting");
  const calls = commands.flatMap((command) => runInBash(command, cwd));
  assert.deepEqual(readdirSync(cwd), [], "no command ran anything but kubectl and helm");
  assert.deepEqual(calls, [
    ["kubectl", "delete", "deployment", "web", "-n", "prod", "--cascade=orphan"],
    ["helm", "upgrade", "shop", "charts/$(touch pwned)", "-n", "prod", "--values=a b;touch pwned.yaml", "--set=x=`touch pwned`"],
    ["kubectl", "delete", "rs", "-n", "prod", "-l", `app=web,team=${HOSTILE}`],
    // the runbook: the same three, and the rollout check
    ["kubectl", "delete", "deployment", "web", "-n", "prod", "--cascade=orphan"],
    ["helm", "upgrade", "shop", "charts/$(touch pwned)", "-n", "prod", "--values=a b;touch pwned.yaml", "--set=x=`touch pwned`"],
    ["kubectl", "-n", "prod", "rollout", "status", "deployment", "web"],
    ["kubectl", "delete", "rs", "-n", "prod", "-l", `app=web,team=${HOSTILE}`],
  ].filter((call, i, all) => all.findIndex((c) => JSON.stringify(c) === JSON.stringify(call)) === i));
});

test("shell quoting: names, namespaces and claim names from a manifest never break out of their word", () => {
  const name = "db$(touch pwned)";
  const namespace = "ns'`touch pwned`'";
  const sts = (claimLabel: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${JSON.stringify(name)}, namespace: ${JSON.stringify(namespace)}}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
  volumeClaimTemplates:
    - metadata: {name: "da ta", labels: {v: ${JSON.stringify(claimLabel)}}}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
  const result = upgradeDocuments(parseYamlStream(sts("1"), "from.yaml"), parseYamlStream(sts("2"), "to.yaml"), { namespace: "default" });
  const commands = [...new Set([...result.findings.flatMap((f) => f.remedy.commands ?? []), ...upgradeRunbook(result.findings, result.impact).map((s) => s.command)])];
  assert.ok(commands.length > 0);
  const cwd = tempDir("quoting");
  const calls = commands.flatMap((command) => runInBash(command, cwd));
  assert.deepEqual(readdirSync(cwd), []);
  assert.ok(calls.some((call) => call.join(" ") === `kubectl delete statefulset ${name} -n ${namespace} --cascade=orphan`), JSON.stringify(calls));
  assert.ok(calls.some((call) => call.join(" ") === `kubectl -n ${namespace} rollout status statefulset ${name}`), JSON.stringify(calls));
});
