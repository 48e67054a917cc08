/** Values perturbation (label maps, image tags, --set keys) and the chart-copy perturbations. */
import assert from "node:assert/strict";
import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  bumpedAppVersion,
  bumpedChartVersion,
  bumpVersions,
  chartTree,
  copyOfCopy,
  hasNondeterministicAction,
  mayRenderAtRandom,
  preparedCopy,
  raiseRevision,
  withLaterClock,
  withRaisedRevision,
} from "../../src/render/probe-copy.ts";
import { findProbeTargets, isLabelMapKey, setArgumentKeys, setKey, targetsFromSetKeys, valuesPerturbation } from "../../src/render/probe-values.ts";
import { fixtureChart, tempDir } from "./support.ts";

const described = (targets: { kind: string; path: readonly string[] }[]) => targets.map((t) => `${t.kind} ${t.path.join(".")}`);

describe("label maps and image tags in values", () => {
  test("label-like maps at any depth, empty or not; not selectors, not inside lists", () => {
    const values = {
      labels: {},
      podLabels: null,
      commonLabels: { team: "a" },
      cvat: { backend: { labels: {}, server: { extraLabels: {}, replicas: 1 } } },
      ingress: { customLabels: {}, additionalLabels: "" },
      serviceMonitor: { matchLabels: {}, selectorLabels: {}, namespaceSelectorLabels: {} },
      statefulsetLabels: {},
      sidecars: [{ labels: {} }],
      notLabels: "x",
      deploymentLabels: ["a"],
    };
    assert.deepEqual(described(findProbeTargets(values)), [
      "labels labels",
      "labels podLabels",
      "labels commonLabels",
      "labels cvat.backend.labels",
      "labels cvat.backend.server.extraLabels",
      "labels ingress.customLabels",
      "labels ingress.additionalLabels",
      "labels statefulsetLabels",
    ]);
    assert.equal(isLabelMapKey("matchLabels"), false);
    assert.equal(isLabelMapKey("podSelectorLabels"), false);
  });

  test("image tags: next to repository or image, under an image key, a child of images, or imageTag", () => {
    const values = {
      image: { repository: "r", tag: "1.0" },
      backend: { image: { registry: "x", tag: 2 } },
      frontend: { image: "nginx", tag: "" },
      images: { api: { tag: null } },
      proxyImage: { tag: "3" },
      exporter: { imageTag: "v1" },
      build: { tag: "keep" },
      release: { image: { tag: { nested: true } } },
    };
    assert.deepEqual(described(findProbeTargets(values)), [
      "tag image.tag",
      "tag backend.image.tag",
      "tag frontend.tag",
      "tag images.api.tag",
      "tag proxyImage.tag",
      "tag exporter.imageTag",
    ]);
  });

  test("a subchart's values sit under its alias", () => {
    assert.deepEqual(described(findProbeTargets({ labels: {}, image: { repository: "w", tag: "1" } }, ["jobs"])), ["labels jobs.labels", "tag jobs.image.tag"]);
  });

  test("--set keys: escaped dots, several assignments, list indexes end the path", () => {
    assert.deepEqual(setArgumentKeys("web.labels.team=a,image.tag=1.2"), [["web", "labels", "team"], ["image", "tag"]]);
    assert.deepEqual(setArgumentKeys("podAnnotations.prometheus\\.io/scrape=true"), [["podAnnotations", "prometheus.io/scrape"]]);
    assert.deepEqual(setArgumentKeys("list[0].labels.a=b,x=1\\,2,y=z"), [["list"], ["x"], ["y"]]);
    assert.deepEqual(described(targetsFromSetKeys([["web", "labels", "team"], ["image", "tag"], ["other", "tag"]])), ["labels web.labels", "tag image.tag"]);
    assert.equal(setKey(["a.b", "c,d=e"]), "a\\.b.c\\,d\\=e");
  });

  test("the override: a distinct marker per map and per tag, nested as Helm merges it", () => {
    const targets = [...findProbeTargets({ web: { labels: { team: "a" } }, image: { repository: "r", tag: "1" }, labels: {} }), ...targetsFromSetKeys([["labels", "x"]])];
    const perturbation = valuesPerturbation(targets, new Set(["labels", "tag"]));
    assert.deepEqual(perturbation.overrides, { labels: { cgval0x: "cgval0x" }, web: { labels: { cgval1x: "cgval1x" } }, image: { tag: "1+cgtag0x" } });
    assert.deepEqual([...perturbation.labelMaps], [["cgval0x", "labels"], ["cgval1x", "web.labels"]]);
    assert.deepEqual([...perturbation.imageTags], [["cgtag0x", "image.tag"]]);
    assert.deepEqual(perturbation.setStrings, []);
    assert.deepEqual(valuesPerturbation(targets, new Set(["tag"])).overrides, { image: { tag: "1+cgtag0x" } });
    // The tag keeps its version as SemVer build metadata; an empty tag becomes a version with the marker.
    assert.deepEqual(valuesPerturbation(findProbeTargets({ image: { repository: "r", tag: "" }, b: { image: { tag: "2+x" } } }), new Set(["tag"])).overrides, {
      image: { tag: "0.0.0+cgtag0x" },
      b: { image: { tag: "2+x.cgtag1x" } },
    });
  });

  test("an empty tag becomes its chart's appVersion with the marker, when that is a version (templates compare it)", () => {
    const tags = (appVersion: string) =>
      valuesPerturbation(findProbeTargets({ image: { repository: "r", tag: "" } }).map((target) => ({ ...target, appVersion })), new Set(["tag"])).overrides;
    assert.deepEqual(tags("v1.9.1"), { image: { tag: "v1.9.1+cgtag0x" } });
    assert.deepEqual(tags("2.0.0-rc.1"), { image: { tag: "2.0.0-rc.1+cgtag0x" } });
    assert.deepEqual(tags("latest"), { image: { tag: "0.0.0+cgtag0x" } });
  });

  test("where the user's --set replaces a target, the marker is given with --set-string too (it comes later)", () => {
    const targets = findProbeTargets({ web: { labels: {} }, image: { repository: "r", tag: "1" } });
    const perturbation = valuesPerturbation(targets, new Set(["labels", "tag"]), [["image", "tag"], ["web"]]);
    assert.deepEqual(perturbation.setStrings, ["web.labels.cgval0x=cgval0x", "image.tag=1+cgtag0x"]);
  });
});

describe("chart copy perturbations", () => {
  test("versions get the marker as build metadata, which keeps every comparison as it was", () => {
    assert.equal(bumpedChartVersion("1.4.2"), "1.4.2+cgchart");
    assert.equal(bumpedAppVersion("v2.10.0"), "v2.10.0+cgapp");
    assert.equal(bumpedChartVersion("1.0.0-rc.1+build.5"), "1.0.0-rc.1+build.5.cgchart");
  });

  test(".Release.Revision raised in actions, whatever the receiver; text outside actions untouched", () => {
    const text = [
      "name: {{ .Release.Name }}-{{ .Release.Revision }}",
      "rev: {{ $.Release.Revision | quote }}",
      "{{- with .ctx }}{{ .Release.Revision }}{{ end }} {{ $root.Release.Revision }} {{ .ctx.Release.Revision }}",
      "# .Release.Revision in a comment stays",
      "{{ if gt .Release.Revision 1 }}upgrade{{ end }}",
    ].join("\n");
    assert.equal(
      withRaisedRevision(text),
      [
        "name: {{ .Release.Name }}-{{ (add .Release.Revision 987650) }}",
        "rev: {{ (add $.Release.Revision 987650) | quote }}",
        "{{- with .ctx }}{{ (add .Release.Revision 987650) }}{{ end }} {{ (add $root.Release.Revision 987650) }} {{ (add .ctx.Release.Revision 987650) }}",
        "# .Release.Revision in a comment stays",
        "{{ if gt (add .Release.Revision 987650) 1 }}upgrade{{ end }}",
      ].join("\n"),
    );
  });

  test("`now` moved a day later in actions, as a later upgrade renders it; strings, fields, variables and text outside actions untouched", () => {
    const text = [
      'mtime: {{ dateInZone "2006-01-02T15:04:05Z" (now) "UTC" }}',
      "day: {{ now | date \"2006-01-02\" }} {{ now | unixEpoch }}",
      'keep: {{ printf "not now" }} {{ .Values.now }} {{ $now }} {{ nowhere }}',
      "# now, outside an action",
    ].join("\n");
    assert.equal(
      withLaterClock(text),
      [
        'mtime: {{ dateInZone "2006-01-02T15:04:05Z" ((dateModify "+25h1m1s" now)) "UTC" }}',
        'day: {{ (dateModify "+25h1m1s" now) | date "2006-01-02" }} {{ (dateModify "+25h1m1s" now) | unixEpoch }}',
        'keep: {{ printf "not now" }} {{ .Values.now }} {{ $now }} {{ nowhere }}',
        "# now, outside an action",
      ].join("\n"),
    );
  });

  test("a prepared copy: packaged subcharts unpacked, every chart with its values path (aliases, nesting)", async () => {
    const work = await tempDir("probe-copy");
    const chart = join(work, "umbrella");
    await cp(fixtureChart("probes/umbrella"), chart, { recursive: true });
    const copy = await preparedCopy(chart, work, false);
    const tree = chartTree(copy);
    assert.deepEqual(
      tree.map((node) => `${node.meta.name} ${node.valuesPrefixes.map((p) => p.join(".") || "(root)").join(",")}`),
      ["platform (root)", "lib lib", "worker jobs"],
    );
    bumpVersions(tree, { chart: true, app: true });
    const chartYaml = await readFile(join(copy, "Chart.yaml"), "utf8");
    assert.match(chartYaml, /^version: 3\.0\.0\+cgchart$/m);
    assert.match(chartYaml, /^appVersion: "3\.0\+cgapp"$/m);
    assert.match(await readFile(join(copy, "charts", "worker", "Chart.yaml"), "utf8"), /^version: 0\.3\.0\+cgchart$/m);
    assert.equal(raiseRevision(tree), false, "no template of this chart uses .Release.Revision");
    // The user's chart is untouched.
    assert.match(await readFile(join(chart, "Chart.yaml"), "utf8"), /^version: 3\.0\.0$/m);
  });

  test("a copy of a copy shares its files until a perturbation replaces one: the other copies keep theirs", async () => {
    const work = await tempDir("probe-copy-of-copy");
    const prepared = await preparedCopy(fixtureChart("probes/revision-job"), work, false);
    const chartVersion = copyOfCopy(prepared, work);
    const revision = copyOfCopy(prepared, work);
    const template = join("templates", "migrate-job.yaml");
    const [chartYaml, templateText] = await Promise.all([readFile(join(prepared, "Chart.yaml"), "utf8"), readFile(join(prepared, template), "utf8")]);
    assert.match(templateText, /\.Release\.Revision/);
    bumpVersions(chartTree(chartVersion), { chart: true, app: false });
    assert.equal(raiseRevision(chartTree(revision)), true);
    assert.match(await readFile(join(chartVersion, "Chart.yaml"), "utf8"), /^version: .*\+cgchart$/m);
    assert.match(await readFile(join(revision, template), "utf8"), /add \.Release\.Revision 987650/);
    for (const [copy, file, text] of [[prepared, "Chart.yaml", chartYaml], [prepared, template, templateText], [revision, "Chart.yaml", chartYaml], [chartVersion, template, templateText]] as const) {
      assert.equal(await readFile(join(copy, file), "utf8"), text, `${copy} ${file}`);
    }
  });

  test("a second render is needed only where an action can differ: random, time and key functions inside {{ }}", async () => {
    assert.equal(hasNondeterministicAction("password: {{ randAlphaNum 16 | b64enc }}"), true);
    assert.equal(hasNondeterministicAction("ts: {{ now | date \"2006\" }}"), true);
    assert.equal(hasNondeterministicAction("{{- $ca := genCA \"x\" 365 }}"), true);
    assert.equal(hasNondeterministicAction("# restart now if needed\nname: {{ .Release.Name }}"), false, "words outside actions do not count");
    assert.equal(hasNondeterministicAction("known: {{ .Values.known }}"), false);
    assert.equal(hasNondeterministicAction('"time":{{`{"from":"now-6h","to":"now"}`}}'), false, "a raw string literal calls nothing");
    assert.equal(hasNondeterministicAction('{{ regexReplaceAll "now|uuidv4" .Values.x "" }}'), false, "nor does an interpreted one");
    assert.equal(hasNondeterministicAction('{{ tpl "{{ randAlphaNum 8" . }}'), true, "a literal holding an action, which tpl could run, still counts");
    assert.equal(hasNondeterministicAction('{{ printf "%s" "x" | cat (now | date "2006") }}'), true, "a call next to literals still counts");
    assert.equal(mayRenderAtRandom(fixtureChart("probes/clean"), []), false);
    assert.equal(mayRenderAtRandom(fixtureChart("probes/clean"), ["secret={{ uuidv4 }}"]), true, "a --set value rendered through tpl");
    assert.equal(mayRenderAtRandom(fixtureChart("probes/random"), []), true);
  });
});
