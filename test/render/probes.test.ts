/**
 * Probe renders end to end with the real helm (3 and 4): each fixture chart under
 * test/fixtures/charts/probes/ reproduces one scenario, with its exact findings.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { check, type CheckOptions } from "../../src/check.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT, runCli } from "../helpers/cli.ts";
import { fixtureChart, tempDir } from "./support.ts";

/** `rule severity Kind/name path line templateLine template cause [valuesPath]`: everything a test pins down. */
function row(f: Finding): string {
  const template = f.location.template === undefined ? "-" : relative(fixtureChart("probes"), f.location.template).replaceAll("\\", "/");
  const cause = [f.evidence.cause ?? f.evidence.source ?? "-", f.evidence.valuesPath].filter((x) => x !== undefined).join(" ");
  return `${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path} ${f.location.line} ${f.location.templateLine ?? "-"} ${template} ${cause}`;
}

async function findings(helm: string, chart: string, options: Partial<CheckOptions> = {}) {
  const result = await check({ inputs: [chart], helm, ...options });
  for (const finding of result.findings) {
    assert.doesNotMatch(finding.message, /cgval|cgtag|cgchart|cgapp|987651/, "probe markers never reach a message");
    assert.ok(finding.remedy.text.length > 0);
  }
  return { rows: result.findings.map(row), notes: result.notes.map((n) => n.message), findings: result.findings };
}

const EXPECTED: Record<string, string[]> = {
  cvat: [
    "volatile-selector info Deployment/cvat-cvat-backend-server spec.selector.matchLabels 16 13 cvat/templates/backend-server-deployment.yaml values cvat.backend.labels",
    "volatile-selector info Deployment/cvat-cvat-backend-worker spec.selector.matchLabels 47 13 cvat/templates/backend-worker-deployment.yaml values cvat.backend.labels",
  ],
  pushgateway: [
    "volatile-claim-template error StatefulSet/pushgateway-pushgateway spec.volumeClaimTemplates[0].metadata.labels 35 27 pushgateway/templates/statefulset.yaml chart-version",
  ],
  // app.kubernetes.io/version on the pod template is no needless roll: the image follows appVersion (tag "").
  "helm-create": [
    "volatile-pod-labels warning Deployment/mysite spec.template.metadata.labels 44 19 helm-create/templates/deployment.yaml chart-version",
  ],
  // Issue 18: the version written as text into immutable fields; on the pod template it never changes on its own.
  "literal-version": [
    "volatile-selector error Deployment/gateway-gateway spec.selector.matchLabels 11 9 literal-version/templates/deployment.yaml name",
    "volatile-claim-template error StatefulSet/gateway-store spec.volumeClaimTemplates[0].metadata.labels 45 23 literal-version/templates/statefulset.yaml name",
  ],
  "literal-version-kept-out": [],
  "plain-job": [
    "volatile-job-template error Job/shop-migrate spec.template.spec.containers[0].image 18 16 plain-job/templates/migrate-job.yaml image-tag image.tag",
    "volatile-job-template error Job/shop-seed spec.template.metadata.labels.helm.sh/chart 32 11 plain-job/templates/seed-job.yaml chart-version",
  ],
  "hook-job": [],
  "install-only-job": [],
  "renamed-job": [],
  "persistence-labels": [
    "volatile-claim-template info StatefulSet/cache-cache spec.volumeClaimTemplates[0].metadata.labels 23 23 persistence-labels/templates/statefulset.yaml values persistence.labels",
  ],
  "image-tag-selector": [
    "volatile-selector error Deployment/api-api spec.selector.matchLabels 11 9 image-tag-selector/templates/deployment.yaml image-tag image.tag",
    "volatile-pod-labels warning Deployment/api-worker spec.template.metadata.labels 38 14 image-tag-selector/templates/worker.yaml image-tag image.tag",
  ],
  "bitnami-pick": [],
  // The random pod label adds no restart of its own: rollme restarts the pods on every release on purpose.
  random: [
    "nondeterministic-render warning Secret/lottery-lottery data.password 9 7 random/templates/secret.yaml random",
    "volatile-selector error Deployment/lottery-lottery spec.selector.matchLabels 21 10 random/templates/deployment.yaml random",
    "nondeterministic-render info Deployment/lottery-lottery spec.template.metadata.annotations.rollme 28 17 random/templates/deployment.yaml random",
  ],
  umbrella: [
    "volatile-selector info Deployment/platform-jobs spec.selector.matchLabels 10 11 umbrella/charts/worker/templates/deployment.yaml values jobs.labels",
    "volatile-pod-labels warning Deployment/platform-jobs spec.template.metadata.labels 18 22 umbrella/charts/worker/templates/deployment.yaml chart-version",
    "volatile-pod-labels warning Deployment/platform-api spec.template.metadata.labels 43 15 umbrella/templates/deployment.yaml chart-version",
  ],
  "revision-job": ["nondeterministic-render info Job/shop-migrate-1 metadata.name 6 4 revision-job/templates/migrate-job.yaml .Release.Revision"],
  hashed: [
    "volatile-selector error Deployment/hashed-hashed spec.selector.matchLabels 11 9 hashed/templates/deployment.yaml chart-version",
    "volatile-pod-labels warning Deployment/hashed-hashed spec.template.metadata.labels 16 14 hashed/templates/deployment.yaml chart-version",
  ],
  clean: [],
  // The empty tag is compared as a version: the probe's tag must still parse (else every probe of the tag is skipped with a note).
  "semver-tag": [],
};

/** Messages that say the object is created anew on each release, and messages that say it stays and is patched. */
const RECREATED = new Set(["revisionName", "revisionNamePerRelease", "randomName", "randomNamePerRelease"].map((id) => `nondeterministic-render/${id}`));
const STAYS = new Set(["volatile-job-template/changes", "volatile-job-template/changesUntilRemoved", "nondeterministic-render/revisionJobLabel"]);

for (const helm of helmBinaries()) {
  describe(`probes with Helm ${helm.major}`, () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      test(`${name}: exact findings`, async () => {
        const { rows, notes } = await findings(helm.path, fixtureChart(`probes/${name}`));
        assert.deepEqual(rows, expected);
        assert.deepEqual(notes, []);
      });
    }

    test("a plain Job: one finding per Job says which fields change, with what, and how to get past it", async () => {
      const { findings: found } = await findings(helm.path, fixtureChart("probes/plain-job"), { release: "prod", namespace: "shop" });
      const seed = found.find((f) => f.rule === "volatile-job-template" && f.object.name === "prod-seed")!;
      // The chart version label and the env value that carries it: one finding for the Job's template.
      assert.equal(seed.message, "pod template changes between releases in label helm.sh/chart and spec.containers[0].env[0].value");
      assert.equal(
        seed.detail,
        'Set from the chart version. A Job\'s spec.template is immutable and this Job is not a Helm hook, so it stays in the cluster: the next release that changes them makes helm upgrade fail with "spec.template: Invalid value: ...: field is immutable".',
      );
      assert.deepEqual(seed.evidence, {
        cause: "chart-version",
        fields: ["spec.template.metadata.labels.helm.sh/chart", "spec.template.spec.containers[0].env[0].value"],
        causes: ["chart-version"],
        labels: [{ key: "helm.sh/chart", value: "shop-4.1.0", cause: "chart-version" }],
      });
      assert.deepEqual(seed.remedy.commands, ["kubectl delete job prod-seed -n shop", `helm upgrade prod ${fixtureChart("probes/plain-job")} -n shop`]);
      const migrate = found.find((f) => f.rule === "volatile-job-template" && f.object.name === "prod-migrate")!;
      assert.deepEqual(migrate.data, { fields: "spec.containers[0].image", sources: "the image tag image.tag" });
    });

    test("renamed Jobs are silent because of their names: the same chart with fixed names reports each Job", async () => {
      const work = await tempDir("probes-fixed-names");
      const chart = join(work, "renamed-job");
      await cp(fixtureChart("probes/renamed-job"), chart, { recursive: true });
      for (const file of ["migrate-job.yaml", "seed-job.yaml", "report-job.yaml"]) {
        const path = join(chart, "templates", file);
        await writeFile(path, (await readFile(path, "utf8")).replace(/^( {2}name: \{\{ \.Release\.Name \}\}-[a-z]+)-.*$/m, "$1"));
      }
      const { rows } = await findings(helm.path, chart);
      assert.deepEqual(rows.map((r) => r.split(" ").slice(0, 4).join(" ")), [
        "volatile-job-template error Job/shop-migrate spec.template.metadata.labels.app.kubernetes.io/version",
        "volatile-job-template error Job/shop-report spec.template.metadata.labels.helm.sh/chart",
        "volatile-job-template error Job/shop-seed spec.template.spec.containers[0].image",
      ]);
    });

    test("findings on one Job never contradict: a Job recreated on each release has no finding that says it stays", async () => {
      for (const name of ["revision-job", "renamed-job", "hook-job", "plain-job", "random"]) {
        const { findings: found } = await findings(helm.path, fixtureChart(`probes/${name}`));
        const recreated = new Set(found.filter((f) => RECREATED.has(`${f.rule}/${f.messageId}`)).map((f) => f.object.name));
        const stays = found.filter((f) => recreated.has(f.object.name) && STAYS.has(`${f.rule}/${f.messageId}`));
        assert.deepEqual(stays.map((f) => `${name}: ${f.rule} ${f.object.name}`), []);
      }
    });

    test("a literal version in a selector: the message says it is text that the release process edits", async () => {
      const [selector] = (await findings(helm.path, fixtureChart("probes/literal-version"))).findings;
      assert.equal(selector!.message, "selector includes app.kubernetes.io/version, set from a version written as text");
      assert.deepEqual(selector!.evidence, {
        cause: "name",
        reason: "key",
        labels: [{ key: "app.kubernetes.io/version", value: "3.2.0", cause: "name", reason: "key", literal: true }],
      });
    });

    test("CVAT-style: the message says which values path reaches the selector, why it fails, and how to migrate", async () => {
      const chart = fixtureChart("probes/cvat");
      const options = { release: "prod", namespace: "tools", setString: ["note=it's a test"] };
      const [finding] = (await findings(helm.path, chart, options)).findings;
      // Two values maps reach the selector: one finding names both.
      assert.equal(finding!.message, "a label added to values cvat.backend.labels and cvat.backend.server.labels appears in the selector");
      assert.equal(
        finding!.detail,
        "A label the probe added to cvat.backend.labels and cvat.backend.server.labels appeared in spec.selector. Upgrades with the same values keep the selector as it is; " +
          'adding or changing a label under cvat.backend.labels and cvat.backend.server.labels changes spec.selector, which is immutable: helm upgrade then fails with "spec.selector: Invalid value: ...: field is immutable".',
      );
      // The release, chart and values the check rendered: an upgrade without the values would reset them.
      assert.deepEqual(finding!.remedy.commands, [
        "kubectl delete deployment prod-cvat-backend-server -n tools --cascade=orphan",
        `helm upgrade prod ${chart} -n tools '--set-string=note=it'\\''s a test'`,
      ]);
    });

    test("a perturbation the chart refuses is skipped with a note; the other probes still prove what they can", async () => {
      const { rows, notes } = await findings(helm.path, fixtureChart("probes/schema-strict"));
      assert.deepEqual(rows, [
        "volatile-selector error Deployment/strict-strict spec.selector.matchLabels 11 9 schema-strict/templates/deployment.yaml chart-version",
        "volatile-pod-labels warning Deployment/strict-strict spec.template.metadata.labels 16 14 schema-strict/templates/deployment.yaml chart-version",
      ]);
      assert.equal(notes.length, 1);
      assert.match(notes[0]!, /^probe skipped \(a label added to the values' label maps\): the chart did not render with it: .*schema-strict: values don't meet the specifications of the schema\(s\).*cgval0x.*; what depends on it is not proven$/);
    });

    test("the example chart: web.labels reaches the Deployment selector (values), found only by probing", async () => {
      const example = join(PROJECT_ROOT, "examples", "webapp");
      const probed = (await findings(helm.path, example)).findings.filter((f) => f.rule === "volatile-selector");
      assert.deepEqual(probed.map((f) => [f.object.name, f.path, f.evidence.cause, f.evidence.valuesPath, f.location.templateLine]), [
        ["webapp", "spec.selector.matchLabels", "values", "web.labels", 12],
      ]);
      const byName = (await findings(helm.path, example, { probe: false })).findings;
      assert.deepEqual(byName.filter((f) => f.rule === "volatile-selector"), [], "--no-probe: names cannot see it");
      assert.ok(byName.every((f) => f.evidence.cause === undefined || f.evidence.cause === "name"));
    });

    test("the user's values count: a --set-json that replaces the map still gets the probe's label", async () => {
      const example = join(PROJECT_ROOT, "examples", "webapp");
      const { findings: found } = await findings(helm.path, example, { setJson: ['web={"replicas":1,"labels":{"team":"shop"}}'] });
      const selector = found.filter((f) => f.rule === "volatile-selector").map((f) => [f.path, f.evidence.valuesPath]);
      assert.deepEqual(selector, [["spec.selector.matchLabels", "web.labels"]]);
    });

    test("packaged charts: a .tgz chart, and a packaged subchart, are probed like directories", async () => {
      const work = await tempDir("probes-tgz");
      execFileSync(helm.path, ["package", fixtureChart("probes/cvat"), "-d", work], { stdio: "ignore" });
      const tgz = await findings(helm.path, join(work, "cvat-2.10.0.tgz"));
      assert.deepEqual(
        tgz.findings.map((f) => [f.object.name, f.path, f.evidence.valuesPath, f.location.template, f.location.templateLine]),
        EXPECTED.cvat!.map((r) => {
          const [, , object, path, , templateLine, template, , valuesPath] = r.split(" ");
          // The template inside the archive, named after the archive as the user named it, with its line.
          const inArchive = `${relative(process.cwd(), join(work, "cvat-2.10.0.tgz"))}/${template!.split("/").slice(1).join("/")}`;
          return [object!.split("/")[1], path, valuesPath, inArchive, Number(templateLine)];
        }),
      );
      const umbrella = join(work, "umbrella");
      await cp(fixtureChart("probes/umbrella"), umbrella, { recursive: true });
      execFileSync(helm.path, ["package", join(umbrella, "charts", "worker"), "-d", join(umbrella, "charts")], { stdio: "ignore" });
      await rm(join(umbrella, "charts", "worker"), { recursive: true });
      const packaged = await findings(helm.path, umbrella);
      assert.deepEqual(
        packaged.findings.map((f) => `${f.rule} ${f.object.name} ${f.path} ${f.evidence.cause} ${f.evidence.valuesPath ?? "-"}`),
        [
          "volatile-selector platform-jobs spec.selector.matchLabels values jobs.labels",
          "volatile-pod-labels platform-jobs spec.template.metadata.labels chart-version -",
          "volatile-pod-labels platform-api spec.template.metadata.labels chart-version -",
        ],
      );
    });

    test("a user values file's label map is probed too", async () => {
      const work = await tempDir("probes-values");
      const values = join(work, "extra.yaml");
      // image-tag-selector's chart has no label map; the user's file adds one the template ignores: still no finding.
      await writeFile(values, "extraLabels: {}\nimage:\n  tag: \"4.0.0\"\n");
      const { rows } = await findings(helm.path, fixtureChart("probes/image-tag-selector"), { valuesFiles: [values] });
      assert.deepEqual(rows.map((r) => r.split(" ").slice(0, 4).join(" ")), [
        "volatile-selector error Deployment/api-api spec.selector.matchLabels",
        "volatile-pod-labels warning Deployment/api-worker spec.template.metadata.labels",
      ]);
    });
  });
}

test("CLI: check probes charts by default; --no-probe renders once and falls back to names", () => {
  const helm = helmBinaries()[0]!.path;
  const run = (extra: string[]) => {
    const result = runCli(["check", "-o", "json", "--no-config", "--fail-on", "none", "--helm", helm, ...extra, "examples/webapp"]);
    assert.equal(result.status, 0, result.stderr);
    return (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((f) => f.rule.startsWith("volatile-"));
  };
  const probed = run([]);
  assert.ok(probed.some((f) => f.rule === "volatile-selector" && f.evidence.valuesPath === "web.labels"));
  assert.ok(probed.every((f) => f.evidence.cause !== "name"));
  const byName = run(["--no-probe"]);
  assert.ok(byName.length > 0 && byName.every((f) => f.evidence.cause === "name"));
});
