/** The pure half of the probes: comparing renders and attributing each difference to its cause. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeProbes, diffLeaves, pairObjects, probesOf, type FieldChange, type ProbeMarkers } from "../../src/analyze/probes.ts";
import { buildContext } from "../../src/analyze/context.ts";
import { volatileSelector } from "../../src/analyze/rules/volatile-selector.ts";
import { volatilePodLabels } from "../../src/analyze/rules/volatile-pod-labels.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { formatPath, objectsFromDocuments } from "../../src/model/object.ts";
import { MARKERS, probedFindings, probeRenders, RENDERED, yaml } from "../helpers/probe-cases.ts";

const deployment = (selector: string, podLabels: string, extra = "") => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    selector:
      matchLabels: ${selector}
    template:
      metadata:
        labels: ${podLabels}${extra}
      spec:
        containers:
          - {name: web, image: "web:1.0"}
`;

/** Every change, as `path cause[,cause] [valuesPaths]`, keyed by object. */
function changesOf(c: Parameters<typeof probeRenders>[0]): Record<string, string[]> {
  const renders = probeRenders(c);
  const { evidence } = analyzeProbes(renders);
  const out: Record<string, string[]> = {};
  for (const object of objectsFromDocuments(renders.base, { namespace: "default" }).objects) {
    const probes = probesOf(evidence, object);
    if (!probes || probes.changes.length === 0) continue;
    out[`${object.ref.kind}/${object.ref.name}`] = probes.changes.map(describeChange);
  }
  return out;
}

function describeChange(change: FieldChange): string {
  const paths = change.valuesPaths.length > 0 ? ` [${change.valuesPaths.join(" ")}]` : "";
  return `${change.section} ${formatPath(change.path)}${change.added ? ` +${change.key}` : ""} ${change.causes.join(",")}${paths}`;
}

const labelMarkers = (entries: Record<string, string>): ProbeMarkers => ({ labelMaps: new Map(Object.entries(entries)) });

describe("analyzeProbes: attribution by marker", () => {
  test("a values map merged into the selector: the probe's label shows up, attributed to its values path", () => {
    const base = deployment("{app: web}", "{app: web}");
    const probed = deployment("{app: web, cgval0x: cgval0x}", "{app: web, cgval0x: cgval0x, cgval1x: cgval1x}");
    assert.deepEqual(changesOf({ base, combined: { manifest: probed, markers: labelMarkers({ cgval0x: "web.labels", cgval1x: "podLabels" }) } }), {
      "Deployment/web": [
        "selector spec.selector.matchLabels +cgval0x values [web.labels]",
        "pod-labels spec.template.metadata.labels +cgval0x values [web.labels]",
        "pod-labels spec.template.metadata.labels +cgval1x values [podLabels]",
      ],
    });
  });

  test("chart version, app version, image tag and revision markers; several markers in one value keep every cause", () => {
    const render = (v: string, both: string, tag: string, chart: string, rev: string) => yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector:
          matchLabels: {app: web, v: "${v}", both: "${both}"}
        template:
          metadata:
            annotations: {rev: "${rev}"}
            labels: {app: web, tag: "${tag}", chart: "${chart}"}
          spec:
            containers: [{name: web, image: "web:${tag}"}]
    `;
    const base = render("1.0.0", "1.0.0-2.0", "1.2", "web-1.0.0", "1");
    const probed = render("1.0.0_cgchart", "1.0.0_cgchart-2.0-cgapp", "cgtag0x", "web-1.0.0_cgchart", "987651");
    const markers: ProbeMarkers = { ...MARKERS, imageTags: new Map([["cgtag0x", "image.tag"]]) };
    assert.deepEqual(changesOf({ base, combined: { manifest: probed, markers } }), {
      "Deployment/web": [
        "selector spec.selector.matchLabels.v chart-version",
        "selector spec.selector.matchLabels.both chart-version,app-version",
        "pod-labels spec.template.metadata.labels.tag image-tag [image.tag]",
        "pod-labels spec.template.metadata.labels.chart chart-version",
        "pod-annotations spec.template.metadata.annotations.rev revision",
      ],
    });
  });

  test("a difference between two identical renders is random, wherever it is; a marker on it does not change that", () => {
    const secret = (password: string) => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: ${password}, user: YWRtaW4=}\n`;
    const base = deployment("{app: web, id: abc}", "{app: web, id: abc}") + secret("eDF5");
    const repeat = deployment("{app: web, id: xyz}", "{app: web, id: xyz}") + secret("cTk4");
    const probed = deployment("{app: web, id: cgchart-q}", "{app: web, id: cgchart-q}") + secret("bW1t");
    assert.deepEqual(changesOf({ base, repeat, combined: { manifest: probed, markers: MARKERS } }), {
      "Deployment/web": ["selector spec.selector.matchLabels.id random", "pod-labels spec.template.metadata.labels.id random"],
      "Secret/db": ["other data.password random"],
    });
  });

  test("a hashed pod annotation (checksum/config) is expected: not a finding, and no reason for more renders", () => {
    const base = deployment("{app: web}", "{app: web}", "\n      annotations: {checksum/config: aaaa}");
    const probed = deployment("{app: web}", "{app: web}", "\n      annotations: {checksum/config: bbbb}");
    const analysis = analyzeProbes(probeRenders({ base, combined: { manifest: probed, markers: MARKERS } }));
    assert.equal(analysis.unmarked, 0);
    assert.deepEqual([...analysis.evidence.changes.values()], []);
  });

  test("a changed identity field without a marker is counted, then attributed by the single-cause renders", () => {
    const base = deployment("{app: web, gen: a1b2}", "{app: web}");
    const hashed = deployment("{app: web, gen: f9e8}", "{app: web}");
    const without = { base, combined: { manifest: hashed, markers: MARKERS } };
    assert.equal(analyzeProbes(probeRenders(without)).unmarked, 1);
    const singles = [
      { cause: "chart-version" as const, manifest: hashed, markers: { chartVersion: "cgchart" } },
      { cause: "values" as const, manifest: base, markers: labelMarkers({ cgval0x: "labels" }) },
    ];
    const analysis = analyzeProbes(probeRenders({ ...without, singles }));
    assert.equal(analysis.unmarked, 0);
    assert.deepEqual(changesOf({ ...without, singles }), { "Deployment/web": ["selector spec.selector.matchLabels.gen chart-version"] });
  });

  test("without a combined render (it failed), each single render is attributed to its own cause", () => {
    const base = deployment("{app: web, build: '1.2'}", "{app: web}");
    const singles = [{ cause: "image-tag" as const, manifest: deployment("{app: web, build: cgtag0x}", "{app: web}"), markers: { imageTags: new Map([["cgtag0x", "image.tag"]]) } }];
    assert.deepEqual(changesOf({ base, singles }), { "Deployment/web": ["selector spec.selector.matchLabels.build image-tag [image.tag]"] });
  });

  test("an image tag in pod labels is the workload's own when its containers run that tag, foreign otherwise", () => {
    const two = (tag: string, image: string) => yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api, build: "${tag}"}}
          spec: {containers: [{name: api, image: "api:${tag}"}]}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: worker}
      spec:
        selector: {matchLabels: {app: worker}}
        template:
          metadata: {labels: {app: worker, api-build: "${tag}"}}
          spec: {containers: [{name: worker, image: "${image}"}]}
    `;
    const renders = probeRenders({ base: two("1.2", "worker:1"), combined: { manifest: two("cgtag0x", "worker:1"), markers: { imageTags: new Map([["cgtag0x", "image.tag"]]) } } });
    const { evidence } = analyzeProbes(renders);
    const foreign = objectsFromDocuments(renders.base, { namespace: "default" }).objects.map((o) => probesOf(evidence, o)!.changes.map((c) => c.foreignTag));
    assert.deepEqual(foreign, [[false], [true]]);
  });

  test("a label from the global tag on a container that falls back to it (argo-cd's argocd-server) is the workload's own image", () => {
    // `image: {{ default .Values.global.image.tag .Values.server.image.tag }}`: the probe gives both tags their own
    // marker, so the container shows server.image.tag's while the label shows global.image.tag's.
    const server = (label: string, tag: string) => yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: argocd-server}
      spec:
        selector: {matchLabels: {app: server}}
        template:
          metadata: {labels: {app: server, app.kubernetes.io/version: "${label}"}}
          spec: {containers: [{name: server, image: "quay.io/argoproj/argocd:${tag}"}]}
    `;
    const markers = { imageTags: new Map([["cgtag0x", "global.image.tag"], ["cgtag1x", "server.image.tag"]]) };
    const own = probeRenders({ base: server("v2.9.3", "v2.9.3"), combined: { manifest: server("cgtag0x", "cgtag1x"), markers } });
    const other = probeRenders({ base: server("v2.9.3", "v1.0.0"), combined: { manifest: server("cgtag0x", "cgtag1x"), markers } });
    const foreignOf = (renders: ReturnType<typeof probeRenders>) => {
      const { evidence } = analyzeProbes(renders);
      return objectsFromDocuments(renders.base, { namespace: "default" }).objects.map((o) => probesOf(evidence, o)!.changes.map((c) => c.foreignTag));
    };
    assert.deepEqual(foreignOf(own), [[false]]);
    assert.deepEqual(foreignOf(other), [[true]]);
  });
});

describe("analyzeProbes: which causes were probed", () => {
  test("the combined render probes what its markers cover; no appVersion means nothing can change with it", () => {
    const base = deployment("{app: web}", "{app: web}");
    const probed = (markers: ProbeMarkers) => [...analyzeProbes(probeRenders({ base, repeat: base, combined: { manifest: base, markers } })).evidence.probed.get(RENDERED)!].sort();
    assert.deepEqual(probed({ chartVersion: "cgchart", appVersion: "cgapp" }), ["app-version", "chart-version", "random"]);
    assert.deepEqual(probed({ chartVersion: "cgchart", appVersionAbsent: true, labelMaps: new Map() }), ["app-version", "chart-version", "random", "values"]);
    assert.deepEqual([...analyzeProbes(probeRenders({ base })).evidence.probed.get(RENDERED)!], []);
  });
});

describe("pairing objects across renders", () => {
  test("by kind, namespace and name; renamed objects by template and order", () => {
    const job = (name: string, source: string) => `---\n# Source: c/templates/${source}\napiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}}\n`;
    const base = objectsFromDocuments(parseYamlStream(job("keep", "a.yaml") + job("m-1", "jobs.yaml") + job("n-1", "jobs.yaml"), "b"), { namespace: "default" }).objects;
    const other = objectsFromDocuments(parseYamlStream(job("n-987651", "jobs.yaml") + job("keep", "a.yaml") + job("m-987651", "jobs.yaml"), "o"), { namespace: "default" }).objects;
    const pairs = pairObjects(base, other);
    assert.deepEqual([...pairs].map(([a, b]) => `${a.ref.name}→${b.ref.name}`), ["keep→keep", "m-1→n-987651", "n-1→m-987651"]);
  });

  test("diffLeaves reports an added map entry as a leaf of its map", () => {
    assert.deepEqual(diffLeaves({ a: { b: 1 } }, { a: { b: 1, c: { d: "x" } }, e: [1] }, []), [
      { path: ["a", "c", "d"], before: undefined, after: "x" },
      { path: ["e", 0], before: undefined, after: 1 },
    ]);
  });
});

describe("probe proof in the volatile-* rules", () => {
  const chartLabelled = deployment("{app: web, helm.sh/chart: web-1.0.0}", "{app: web, helm.sh/chart: web-1.0.0, app.kubernetes.io/version: '2.0'}");

  test("a label found both by name and by probe is reported once, with the probe's cause", () => {
    const probed = deployment("{app: web, helm.sh/chart: web-1.0.0_cgchart}", "{app: web, helm.sh/chart: web-1.0.0_cgchart, app.kubernetes.io/version: 2.0-cgapp}");
    const findings = probedFindings(volatileSelector, { base: chartLabelled, combined: { manifest: probed, markers: MARKERS } });
    assert.deepEqual(findings.map((f) => [f.path, f.evidence.cause, f.data]), [
      ["spec.selector.matchLabels", "chart-version", { labels: "helm.sh/chart", sources: "the chart version", failure: "spec.selector: Invalid value: ...: field is immutable" }],
    ]);
    // Both pod template labels: one finding, each label with its own cause.
    const pods = probedFindings(volatilePodLabels, { base: chartLabelled, combined: { manifest: probed, markers: MARKERS } });
    assert.deepEqual(pods.map((f) => [f.path, f.evidence.labels]), [
      [
        "spec.template.metadata.labels",
        [
          { key: "helm.sh/chart", value: "web-1.0.0", cause: "chart-version" },
          { key: "app.kubernetes.io/version", value: "2.0", cause: "app-version" },
        ],
      ],
    ]);
  });

  test("a selector label named as a version that the version probe left alone is a literal: still reported, by its name", () => {
    // e.g. helm.sh/chart written as text into the template: the release process rewrites it, the probe cannot.
    const findings = probedFindings(volatileSelector, { base: chartLabelled, combined: { manifest: chartLabelled, markers: MARKERS } });
    assert.deepEqual(
      findings.map((f) => [f.severity, f.path, f.evidence.cause, f.messageId, f.data.sources, f.evidence.labels]),
      [["error", "spec.selector.matchLabels", "name", "changes", "a version written as text", [{ key: "helm.sh/chart", value: "web-1.0.0", cause: "name", reason: "key", literal: true }]]],
    );
  });

  test("a pod template label named as a version that the version probe left alone is not reported (it never changes on its own)", () => {
    const findings = probedFindings(volatilePodLabels, { base: chartLabelled, combined: { manifest: chartLabelled, markers: MARKERS } });
    assert.deepEqual(findings, []);
  });

  test("where the cause the name suggests was not probed (its render failed), the name still counts", () => {
    const findings = probedFindings(volatileSelector, { base: chartLabelled, singles: [{ cause: "values", manifest: chartLabelled, markers: labelMarkers({}) }] });
    assert.deepEqual(findings.map((f) => [f.path, f.evidence.cause]), [["spec.selector.matchLabels", "name"]]);
  });

  test("a values map copied in whole: the message names the values path, not the probe's label", () => {
    const base = deployment("{app: web}", "{app: web}");
    const probed = deployment("{app: web, cgval0x: cgval0x}", "{app: web, cgval0x: cgval0x}");
    const [finding, ...rest] = probedFindings(volatileSelector, { base, combined: { manifest: probed, markers: labelMarkers({ cgval0x: "web.labels" }) } });
    assert.equal(rest.length, 0);
    assert.equal(finding!.path, "spec.selector.matchLabels");
    assert.deepEqual(finding!.evidence, { cause: "values", valuesPath: "web.labels" });
    assert.equal(finding!.messageId, "valuesMap");
    assert.deepEqual(finding!.data, { valuesPaths: "web.labels", failure: "spec.selector: Invalid value: ...: field is immutable" });
    assert.equal(finding!.message, "a label added to values web.labels appears in the selector");
    assert.equal(finding!.severity, "info");
    assert.doesNotMatch(finding!.message, /cgval/);
  });

  test("no probes (plain manifests): name-based detection as before", () => {
    const context = buildContext(objectsFromDocuments(parseYamlStream(chartLabelled, "m.yaml"), { namespace: "default" }).objects);
    const found: string[] = [];
    volatileSelector.check(context, (input) => found.push(String(input.evidence?.cause)));
    assert.deepEqual(found, ["name"]);
  });
});
