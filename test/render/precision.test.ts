/**
 * Precision on chart shapes met in public charts, end to end with the real helm (3 and 4):
 * each fixture chart under test/fixtures/charts/precision/ is one class of finding that
 * must (or must not) be reported, with its exact findings.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import type { Finding } from "../../src/analyze/finding.ts";
import { check, type CheckOptions } from "../../src/check.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { chartFacts } from "../../src/chart-facts.ts";
import { renderChart } from "../../src/render/chart-input.ts";
import { fixtureChart, renderRequest, tempDir } from "./support.ts";

/** `rule severity Kind/name path line template`. */
function row(f: Finding): string {
  const template = f.location.template === undefined ? "-" : relative(fixtureChart("precision"), f.location.template).replaceAll("\\", "/");
  return `${f.rule} ${f.severity} ${f.object.kind}/${f.object.name} ${f.path} ${f.location.templateLine ?? `rendered:${f.location.line}`} ${template}`;
}

async function findings(helm: string, chart: string, options: Partial<CheckOptions> = {}) {
  const result = await check({ inputs: [fixtureChart(`precision/${chart}`)], helm, ...options });
  return { rows: result.findings.map(row), notes: result.notes.map((n) => n.message), findings: result.findings };
}

const EXPECTED: Record<string, string[]> = {
  // The querier Service's labels belong to a Deployment these values do not render: not provable.
  "disabled-component": [],
  // The disabled querier template writes component=querier; the Service wants queryer, which no template writes.
  "disabled-typo": ["dangling-selector warning Service/disabled-typo-querier spec.selector 17 disabled-typo/templates/services.yaml"],
  // Services and autoscalers rendered from values select the user's pods, wherever they run: the template writes none of their keys
  // or kinds. The web Service and autoscaler write their own, naming a component and a Deployment the chart does not have: reported
  // (the autoscaler's `kind: Deployment` under scaleTargetRef declares no workload of the chart).
  "values-selector": [
    "dangling-selector warning Service/values-selector-web spec.selector 6 values-selector/templates/web.yaml",
    "dangling-selector warning HorizontalPodAutoscaler/values-selector-web spec.scaleTargetRef 6 values-selector/templates/web-autoscaler.yaml",
  ],
  // One StatefulSet per zone on the same image: the Service and budget over the zones are by design (info); a primary and its
  // read replica have roles, not zones: one Service over both warns.
  "zone-copies": [
    "selector-overlap info PodDisruptionBudget/zone-copies-ingester-rollout spec.selector 42 zone-copies/templates/ingesters.yaml",
    "selector-overlap warning Service/zone-copies-db spec.selector 29 zone-copies/templates/database.yaml",
    "selector-overlap info Service/zone-copies-ingester spec.selector 31 zone-copies/templates/ingesters.yaml",
  ],
  // The server hashes its ConfigMaps whole, helm.sh/chart included: every chart bump restarts it. The worker hashes their data,
  // plain a ConfigMap without the chart label; branches writes its checksum two ways under an if, so which rendered is unknown.
  // labelled carries helm.sh/chart on its pods too: one finding, whose fix covers the checksum (see the test below).
  "checksum-labels": [
    "nondeterministic-render warning Secret/checksum-labels-token data.token 8 checksum-labels/templates/token-secret.yaml",
    "volatile-pod-labels warning Deployment/checksum-labels-labelled spec.template.metadata.labels 17 checksum-labels/templates/labelled.yaml",
    "volatile-pod-labels warning Deployment/checksum-labels-server spec.template.metadata.annotations.checksum/config 15 checksum-labels/templates/server.yaml",
    // A checksum of a token made on every render changes on every upgrade anyway: nondeterministic-render's, not a chart-bump finding.
    "nondeterministic-render info Deployment/checksum-labels-tokened spec.template.metadata.annotations.checksum/config 15 checksum-labels/templates/tokened.yaml",
  ],

  // A random pod template field restarts the pods on every upgrade: on purpose when named as a cache-bust token (info), by
  // accident for a seed (warning). In a CronJob's job template nothing restarts (info); an upgrade hook Job is created anew.
  "pod-template-random": [
    "nondeterministic-render info Deployment/pod-template-random-api spec.template.spec.containers[0].env[1].value 16 pod-template-random/templates/api.yaml",
    "nondeterministic-render warning Deployment/pod-template-random-worker spec.template.spec.containers[0].env[0].value 17 pod-template-random/templates/worker.yaml",
    "nondeterministic-render info CronJob/pod-template-random-refresh spec.jobTemplate.spec.template.spec.containers[0].env[1].value 16 pod-template-random/templates/jobs.yaml",
  ],
  // A hook Deployment keeps its pods running: a budget over it and the server spreads over two workloads, it covers no Job pods.
  "hook-deployment": ["selector-overlap warning PodDisruptionBudget/hook-deployment spec.selector 41 hook-deployment/templates/admission.yaml"],
  // A label no template produces: the real mistake, still reported (a PrometheusRule runs no pods).
  typo: ["dangling-selector warning Service/typo-web spec.selector 6 typo/templates/service.yaml"],
  // Pods the operator runs for the Prometheus resource; kube-system's scheduler; the API server's Service.
  operator: [],
  // The checksum of the reused Secret is info saying it stays on upgrade; the checksum of a token generated on every render rolls the pods.
  "lookup-secret": [
    "nondeterministic-render info Secret/lookup-secret-vault data.password 7 lookup-secret/templates/secret.yaml",
    "nondeterministic-render warning Secret/lookup-secret-token data.token 7 lookup-secret/templates/token.yaml",
    "nondeterministic-render info Deployment/lookup-secret-server spec.template.metadata.annotations.checksum/secret 15 lookup-secret/templates/deployment.yaml",
    "nondeterministic-render info Deployment/lookup-secret-agent spec.template.metadata.annotations.checksum/token 35 lookup-secret/templates/deployment.yaml",
    "nondeterministic-render warning ValidatingWebhookConfiguration/lookup-secret-vault webhooks[0].clientConfig.caBundle 11 lookup-secret/templates/webhook.yaml",
  ],
  // One genCA in the serving Secret and in two webhooks' caBundle is one finding, on the Secret; a webhook with a CA of its own keeps its own.
  "ca-copies": [
    "nondeterministic-render warning Secret/ca-copies-webhook-tls data.ca.crt 10 ca-copies/templates/webhooks.yaml",
    "nondeterministic-render warning ValidatingWebhookConfiguration/ca-copies-other webhooks[0].clientConfig.caBundle 59 ca-copies/templates/webhooks.yaml",
  ],
  // Rendered on install only (.Release.IsInstall), with a password generated then: the first upgrade deletes the Secret;
  // the one with helm.sh/resource-policy: keep stays, its password with it.
  "install-only-secret": [
    "nondeterministic-render warning Secret/install-only-secret-admin data.password 8 install-only-secret/templates/secrets.yaml",
    "nondeterministic-render info Secret/install-only-secret-kept data.password 18 install-only-secret/templates/secrets.yaml",
  ],
  // One CRD in the chart's crds/ folder and in two subcharts': Helm installs one copy and skips the others;
  // the identical copy is silent, the older version is info.
  "crds-twice": ["duplicate-object info CustomResourceDefinition/widgets.example.com metadata.name 4 crds-twice/charts/old-crds/crds/widgets.yaml"],
  // Chart version = the operator's image tag (v2.4.0, through appVersion): a chart bump is an image bump. The cache runs redis.
  lockstep: ["volatile-pod-labels warning Deployment/lockstep-cache spec.template.metadata.labels 31 lockstep/templates/deployments.yaml"],
  // Per key: the config Secret and its checksum are kept on upgrade (info); a token with no lookup, a lookup of
  // another key, and a lookup the values switch off make new values on every upgrade (warnings), and the hub
  // Secret's checksum then rolls the pods.
  "lookup-keys": [
    "nondeterministic-render info Secret/lookup-keys-config data.session-key 8 lookup-keys/templates/hub/config.yaml",
    "nondeterministic-render warning Secret/lookup-keys-keys data.encryption-key 7 lookup-keys/templates/hub/keys.yaml",
    "nondeterministic-render warning Secret/lookup-keys-hub data.proxy-token 8 lookup-keys/templates/hub/secret.yaml",
    "nondeterministic-render warning Secret/lookup-keys-tls data.ca.crt 13 lookup-keys/templates/hub/tls.yaml",
    "nondeterministic-render info Secret/lookup-keys-webhook-cert data.tls.crt 7 lookup-keys/templates/hub/webhook-cert.yaml",
    "nondeterministic-render info Deployment/lookup-keys-hub spec.template.metadata.annotations.checksum/hub-secret 14 lookup-keys/templates/hub/deployment.yaml",
    "nondeterministic-render info Deployment/lookup-keys-hub spec.template.metadata.annotations.checksum/config 15 lookup-keys/templates/hub/deployment.yaml",
  ],
  // Rolls the chart means (name, values flag, comment) are info; session-seed and served-by say nothing of it.
  "roll-intent": [
    "nondeterministic-render info DaemonSet/roll-intent-agent spec.template.metadata.annotations.releaseRevision 39 roll-intent/templates/workloads.yaml",
    "nondeterministic-render warning DaemonSet/roll-intent-agent spec.template.metadata.annotations.served-by 40 roll-intent/templates/workloads.yaml",
    "nondeterministic-render info Deployment/roll-intent-web spec.template.metadata.annotations.rollme 14 roll-intent/templates/workloads.yaml",
    "nondeterministic-render info Deployment/roll-intent-web spec.template.metadata.annotations.upgraded-at 16 roll-intent/templates/workloads.yaml",
    "nondeterministic-render info Deployment/roll-intent-web spec.template.metadata.annotations.build-id 19 roll-intent/templates/workloads.yaml",
    "nondeterministic-render warning Deployment/roll-intent-web spec.template.metadata.annotations.session-seed 20 roll-intent/templates/workloads.yaml",
  ],
  // The exporter's pods restart on every release on purpose (releaseRevision): its chart label adds no restart; the api's does.
  "deliberate-roll": [
    "nondeterministic-render info DaemonSet/deliberate-roll-exporter spec.template.metadata.annotations.releaseRevision 15 deliberate-roll/templates/workloads.yaml",
    "volatile-pod-labels warning Deployment/deliberate-roll-api spec.template.metadata.labels 33 deliberate-roll/templates/workloads.yaml",
  ],
  // No lookup for the password, but the chart refuses helm upgrade until it is passed (its NOTES.txt fails under
  // .Release.IsUpgrade): info quoting the chart. The token is read back with lookup, its session key is not.
  "refused-upgrade": [
    "nondeterministic-render info Secret/refused-upgrade-auth data.password 7 refused-upgrade/templates/secret.yaml",
    "nondeterministic-render info Secret/refused-upgrade-token data.session 9 refused-upgrade/templates/token.yaml",
  ],
  duplicate: [
    "duplicate-object warning ConfigMap/duplicate-settings metadata.name 4 duplicate/templates/app-b.yaml",
    "duplicate-object warning Deployment/duplicate-api metadata.name 11 duplicate/templates/app-b.yaml",
  ],
  headless: [
    "selector-overlap info Service/headless-headless spec.selector 8 headless/templates/services.yaml",
    "selector-overlap warning Service/headless-http spec.selector 19 headless/templates/services.yaml",
  ],
  // The mtime from `now` changes on every upgrade (a later render's clock); the bcrypt hashes are salted anew, of the same password.
  "clock-and-hash": [
    "nondeterministic-render warning Secret/clock-and-hash-admin data.admin.passwordMtime 11 clock-and-hash/templates/admin-secret.yaml",
    "nondeterministic-render info Secret/clock-and-hash-basic-auth stringData.auth 6 clock-and-hash/templates/basic-auth.yaml",
    "nondeterministic-render info Secret/clock-and-hash-web-config data.web-config.yaml 7 clock-and-hash/templates/web-config.yaml",
  ],
  // The bootstrap Job runs once, at install: not reported; the Job named after the revision runs on every release.
  // A plain Job on install and a pre-upgrade hook on upgrade (.Release.IsUpgrade): the upgrade creates it anew, so its changed
  // pod template (helm.sh/chart, the image) fails nothing; the install render alone cannot show that, so nothing is reported.
  "upgrade-hook-job": [],
  // The CA is kept with lookup (info, its copy in the webhook's caBundle folded in); the serving certificate is signed anew by it
  // on every upgrade, which the webhook's clients, trusting the CA, accept: info, not the warning of a rotated CA.
  "resigned-leaf": [
    "nondeterministic-render info Secret/resigned-leaf-ca data.tls.crt 15 resigned-leaf/templates/webhook.yaml",
    "nondeterministic-render info Secret/resigned-leaf-tls data.tls.crt 25 resigned-leaf/templates/webhook.yaml",
  ],
  // chartVersion, a label key of the chart's own, is the chart version (the probe shows it): the driver's image is tagged like
  // the chart, so chart bumps restart it anyway; the sidecar's is not, so the label restarts it.
  "lockstep-custom-key": [
    "volatile-pod-labels warning Deployment/lockstep-custom-key-sidecar spec.template.metadata.labels 31 lockstep-custom-key/templates/workloads.yaml",
  ],
  // The password is kept through lookup, but the server's checksum hashes the Secret whole, helm.sh/chart included: every chart
  // bump restarts the server (a warning), and nothing says the hash is kept (which would contradict it).
  "lookup-secret-labelled": [
    "nondeterministic-render info Secret/lookup-secret-labelled-vault data.password 9 lookup-secret-labelled/templates/secret.yaml",
    "volatile-pod-labels warning Deployment/lookup-secret-labelled-server spec.template.metadata.annotations.checksum/secret 15 lookup-secret-labelled/templates/deployment.yaml",
  ],
  // A name and a label value built from a value the install sets, empty by default: a value to set (info, once for the chart); an
  // uppercase name is invalid whatever the values (error).
  "empty-value-name": [
    "invalid-label error ConfigMap/Mirror-settings metadata.name 15 empty-value-name/templates/mirror.yaml",
    "invalid-label info Service/mirror- metadata.name 4 empty-value-name/templates/mirror.yaml",
  ],
  // The app's pods carry its own chart version, the vendored database's pods the database chart's: each restarts when its own
  // version changes, the database's when the parent updates that dependency (see the test of the message below).
  "subchart-labels": [
    "volatile-pod-labels warning Deployment/subchart-labels-db-exporter spec.template.metadata.annotations.checksum/queries 14 subchart-labels/charts/db/templates/exporter.yaml",
    "volatile-pod-labels warning Deployment/subchart-labels-web spec.template.metadata.labels 13 subchart-labels/templates/web.yaml",
    "volatile-pod-labels warning StatefulSet/subchart-labels-db spec.template.metadata.labels 14 subchart-labels/charts/db/templates/statefulset.yaml",
  ],
  // The same charts with the database pinned from a chart repository: its labels and hashes change only when the chart's
  // maintainers bump that dependency, with its templates and images; the chart's own web Deployment is still reported.
  "repository-subchart": ["volatile-pod-labels warning Deployment/repository-subchart-web spec.template.metadata.labels 13 repository-subchart/templates/web.yaml"],
  // A development copy (appVersion canary, chart 3-canary): the release process stamps chart version, appVersion and image
  // tag together, so a chart bump restarts the pods anyway; the same label under subchart-labels' numbered versions is reported.
  "development-copy": [],
  "install-only-job": [
    "selector-overlap warning Service/install-only-job-headless spec.selector 8 install-only-job/templates/statefulset.yaml",
    "nondeterministic-render info Job/install-only-job-reindex-1 metadata.name 22 install-only-job/templates/jobs.yaml",
  ],
};

for (const helm of helmBinaries()) {
  describe(`precision fixtures with Helm ${helm.major}`, () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      test(`${name}: exact findings`, async () => {
        const { rows, notes } = await findings(helm.path, name, { release: name });
        assert.deepEqual(rows, expected);
        assert.deepEqual(notes, []);
      });
    }

    test("subchart-labels: a subchart's pods carry that dependency's version, its checksums hash it, and the findings say so", async () => {
      const { findings: found } = await findings(helm.path, "subchart-labels", { release: "subchart-labels" });
      assert.deepEqual(
        found.map((f) => [f.object.name, f.messageId, f.data.sources]),
        [
          ["subchart-labels-db-exporter", "hashesChartLabels", "the chart version of the dependency db"],
          ["subchart-labels-web", "restarts", "the chart version"],
          ["subchart-labels-db", "restarts", "the chart version of the dependency db"],
        ],
      );
    });

    test("lookup-secret-labelled: a hashed template of one object: the fix hashes its data with fromYaml", async () => {
      const { findings: found } = await findings(helm.path, "lookup-secret-labelled", { release: "lookup-secret-labelled" });
      const hash = found.find((f) => f.messageId === "hashesChartLabels")!;
      assert.match(hash.remedy?.text ?? "", /^Hash only what the pods read, not the objects' labels: checksum\/secret: \{\{ \(include \(print \$\.Template\.BasePath "\/secret\.yaml"\) \. \| fromYaml\)\.data/);
    });

    test("resigned-leaf: the serving certificate's finding says the kept CA re-signs it", async () => {
      const { findings: found } = await findings(helm.path, "resigned-leaf", { release: "resigned-leaf" });
      assert.deepEqual(found.map((f) => f.messageId), ["reusedByLookup", "resignedByKeptCa"]);
    });

    test("ca-copies: the Secret's finding names the webhooks that carry the same CA and relates them", async () => {
      const { findings: found } = await findings(helm.path, "ca-copies", { release: "ca-copies" });
      const secret = found[0]!;
      assert.equal(secret.data.fields, "data.ca.crt, data.tls.crt and data.tls.key (the same certificate also in MutatingWebhookConfiguration/ca-copies-mutate and ValidatingWebhookConfiguration/ca-copies-validate)");
      assert.deepEqual(secret.related.map((r) => `${r.kind}/${r.name}`), ["MutatingWebhookConfiguration/ca-copies-mutate", "ValidatingWebhookConfiguration/ca-copies-validate"]);
      assert.deepEqual(secret.evidence.copies, [
        "MutatingWebhookConfiguration/ca-copies-mutate webhooks[0].clientConfig.caBundle",
        "ValidatingWebhookConfiguration/ca-copies-validate webhooks[0].clientConfig.caBundle",
        "ValidatingWebhookConfiguration/ca-copies-validate webhooks[1].clientConfig.caBundle",
      ]);
    });

    test("clock-and-hash: the Secret's warning names the mtime from `now`, not the bcrypt hash of the kept password; a hash alone is info", async () => {
      const { findings: found } = await findings(helm.path, "clock-and-hash", { release: "clock-and-hash" });
      assert.deepEqual(
        found.map((f) => [f.messageId, f.data]),
        [
          ["notKeptByLookup", { fields: "data.admin.passwordMtime", lookedUp: "Secret", what: "value" }],
          ["rehashed", { fields: "stringData.auth" }],
          ["rehashed", { fields: "data.web-config.yaml" }],
        ],
      );
    });

    test("refused-upgrade: the upgrade probe renders with --is-upgrade; the chart's refusal is quoted on what the upgrade does not keep (the password, the session key), not on the token it reads back", async () => {
      const { findings: found } = await findings(helm.path, "refused-upgrade", { release: "refused-upgrade" });
      const refusal = "PASSWORDS ERROR: You must provide your current password when upgrading the release.";
      assert.deepEqual(
        found.map((f) => [f.messageId, f.data]),
        [
          ["refusedOnUpgrade", { fields: "data.password", refusal }],
          ["refusedOnUpgrade", { fields: "data.session", refusal }],
        ],
      );
    });

    test("install-only-job: the headless Service's finding names the Job renamed on every release, not the one that runs once at install", async () => {
      const { findings: found } = await findings(helm.path, "install-only-job", { release: "install-only-job" });
      const overlap = found.find((f) => f.rule === "selector-overlap")!;
      assert.equal(overlap.messageId, "headlessSelectsJobs");
      assert.deepEqual(overlap.data, { target: "StatefulSet/install-only-job-coordinator", jobs: "Job/install-only-job-reindex-1" });
      assert.deepEqual(overlap.related.map((r) => `${r.kind}/${r.name}`), ["Job/install-only-job-reindex-1"]);
    });

    test("disabled-component: once the component is enabled its pods are rendered and its Service matches them", async () => {
      const enabled = await findings(helm.path, "disabled-component", { release: "logs", set: ["querier.enabled=true"] });
      assert.deepEqual(enabled.rows, []);
    });

    test("disabled-component packaged: the templates of a .tgz are read while its unpacked folder exists, so its chart facts keep it as quiet as the folder", async () => {
      const dir = await tempDir("packaged");
      execFileSync(helm.path, ["package", fixtureChart("precision/disabled-component"), "--destination", dir], { stdio: "ignore" });
      const archive = readdirSync(dir).find((name) => name.endsWith(".tgz"))!;
      const result = await check({ inputs: [join(dir, archive)], helm: helm.path, release: "disabled-component" });
      assert.deepEqual(result.findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`), []);
      assert.deepEqual(result.notes, []);
    });

    test("missing-dep: rendered without its dependency (--skip-missing-deps), the view is partial: a note, no dangling selector", async () => {
      const { rows, notes } = await findings(helm.path, "missing-dep", { release: "app", skipMissingDeps: true });
      assert.deepEqual(rows, []);
      assert.equal(notes.length, 1);
      assert.match(notes[0]!, /rendered without the missing dependencies cache \(--skip-missing-deps\): the view is partial$/);
    });

    test("lookup-secret: the message says what happens on install, on upgrade, and where lookup finds nothing", async () => {
      const secret = (await findings(helm.path, "lookup-secret", { release: "vault" })).findings[0]!;
      assert.equal(secret.evidence.reusedBy, "lookup Secret");
      assert.equal(secret.messageId, "reusedByLookup");
      assert.match(secret.detail ?? "", /on install the value is generated once; on `helm upgrade` the chart finds the release's object and keeps its value/);
    });

    test("lookup-keys: the warning names only the keys generated anew; the checksum of a Secret with one such key rolls the pods", async () => {
      const { findings: found } = await findings(helm.path, "lookup-keys", { release: "lookup-keys" });
      const hub = found.find((f) => f.object.name === "lookup-keys-hub" && f.object.kind === "Secret")!;
      assert.deepEqual(hub.evidence.fields, ["data.proxy-token"]);
      assert.deepEqual([hub.messageId, hub.data], ["notKeptByLookup", { fields: "data.proxy-token", lookedUp: "Secret", what: "value" }]);
      const config = found.find((f) => f.object.name === "lookup-keys-config")!;
      assert.deepEqual(config.evidence.fields, ["data.session-key", "stringData.config.yaml"]);
      const annotation = (key: string) => found.find((f) => f.path === `spec.template.metadata.annotations.${key}`)!;
      assert.equal(annotation("checksum/hub-secret").evidence.reusedBy, undefined);
      assert.deepEqual([annotation("checksum/hub-secret").messageId, annotation("checksum/hub-secret").data], ["hashesRandom", { annotation: "checksum/hub-secret" }]);
      assert.equal(annotation("checksum/config").evidence.reusedBy, "lookup Secret");
      const webhookCert = found.find((f) => f.object.name === "lookup-keys-webhook-cert")!;
      assert.deepEqual([webhookCert.messageId, webhookCert.data], ["regeneratedByValues", { fields: "data.tls.crt", what: "certificate or CA", switches: "webhookCert.recreate" }]);
    });

    test("lookup-keys: chart facts see a checksum of a template named in parts (\"/hub\" \"/config.yaml\") and the lookup in the helper it includes", async () => {
      const { chart: _chart, release: _release, ...inputs } = renderRequest(fixtureChart("precision/lookup-keys"));
      const settings = { helm: { path: helm.path, version: helm.version, major: helm.major }, inputs, timeoutMs: 60_000, skipMissingDeps: false, templates: "all" as const };
      const rendered = await renderChart(fixtureChart("precision/lookup-keys"), settings, await tempDir("facts"));
      const facts = chartFacts([rendered]);
      const deployment = rendered.docs.find((doc) => doc.template?.endsWith("hub/deployment.yaml"))!.template!;
      assert.deepEqual([...facts.hashesReusedSecret.get(deployment)!], [14, 15]);
    });

    test("checksum-labels: a chart label on the pods and a checksum over the chart label are one finding, which names both fixes; configmaps.yaml renders two ConfigMaps, so the fix is not fromYaml's data, which reads only the first", async () => {
      const { findings: found } = await findings(helm.path, "checksum-labels", { release: "checksum-labels" });
      const labelled = found.find((f) => f.object.name === "checksum-labels-labelled")!;
      assert.deepEqual(labelled.evidence.hashes, { annotations: ["checksum/config"], hashed: [labelled.location.template!.replace("labelled.yaml", "configmaps.yaml")], labels: ["helm.sh/chart"] });
      assert.match(labelled.remedy?.text ?? "", /^Put only the stable selectorLabels .* Keep helm\.sh\/chart off the objects of templates\/configmaps\.yaml, which the hash covers whole \(a template of several objects cannot be hashed by its data alone with fromYaml, which reads the first\)\.$/);
      assert.doesNotMatch(labelled.remedy?.text ?? "", /fromYaml\)\.data/);
    });

    test("checksum-labels: chart facts name the keys a template writes only as a whole hash of other templates", async () => {
      const { chart: _chart, release: _release, ...inputs } = renderRequest(fixtureChart("precision/checksum-labels"));
      const settings = { helm: { path: helm.path, version: helm.version, major: helm.major }, inputs, timeoutMs: 60_000, skipMissingDeps: false, templates: "all" as const };
      const rendered = await renderChart(fixtureChart("precision/checksum-labels"), settings, await tempDir("facts"));
      const facts = chartFacts([rendered]);
      const hashes = (file: string) => {
        const template = rendered.docs.find((doc) => doc.template?.endsWith(`templates/${file}`))!.template!;
        return Object.fromEntries([...(facts.hashesWholeTemplates?.get(template) ?? [])].map(([key, templates]) => [key, templates.map((t) => t.slice(t.indexOf("templates/")))]));
      };
      assert.deepEqual(
        ["server.yaml", "worker.yaml", "plain.yaml", "branches.yaml"].map(hashes),
        [{ "checksum/config": ["templates/configmaps.yaml"] }, {}, { "checksum/config": ["templates/plain-config.yaml"] }, {}],
      );
    });

    test("roll-intent: a deliberate roll says the chart means it; one with no sign of intent says it may not be meant", async () => {
      const { findings: found } = await findings(helm.path, "roll-intent", { release: "roll-intent" });
      const messageId = (key: string) => found.find((f) => f.path === `spec.template.metadata.annotations.${key}`)!.messageId;
      assert.deepEqual(
        ["releaseRevision", "rollme", "upgraded-at", "build-id", "session-seed"].map(messageId),
        ["revisionAnnotationDeliberate", "rollAnnotationDeliberate", "rollAnnotationDeliberate", "rollAnnotationDeliberate", "rollAnnotation"],
      );
    });

    test("lookup-secret: a checksum of the reused Secret stays on upgrade; a checksum of a token made on every render rolls the pods, and says the token is why", async () => {
      const { findings: found } = await findings(helm.path, "lookup-secret", { release: "vault" });
      const annotation = (name: string) => found.find((f) => f.object.name === name && f.path.includes("annotations"))!;
      assert.equal(annotation("vault-server").evidence.reusedBy, "lookup Secret");
      assert.deepEqual([annotation("vault-server").messageId, annotation("vault-server").data], ["reusedHash", { annotation: "checksum/secret" }]);
      assert.match(annotation("vault-server").detail ?? "", /on `helm upgrade` the Secret keeps its value, so the hash stays the same/);
      assert.equal(annotation("vault-agent").evidence.reusedBy, undefined);
      assert.equal(annotation("vault-agent").messageId, "hashesRandom");
    });
  });
}
