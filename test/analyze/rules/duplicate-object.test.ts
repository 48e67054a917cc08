import assert from "node:assert/strict";
import { test } from "node:test";
import { duplicateObject } from "../../../src/analyze/rules/duplicate-object.ts";
import { buildContext, DEFAULT_SETTINGS } from "../../../src/analyze/context.ts";
import { runRules } from "../../../src/analyze/run.ts";
import { parseYamlStream } from "../../../src/load/yaml.ts";
import { parseRender } from "../../../src/render/chart-input.ts";
import { objectsFromDocuments } from "../../../src/model/object.ts";
import { ruleCases, yaml } from "../../helpers/rule-cases.ts";

const configMap = (name: string, mode: string, extra = "") => yaml`
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: ${name}${extra}}
  data: {mode: ${mode}}
`;

/** A CustomResourceDefinition as Helm prints a crds/ file: one `# Source:` line, then the file whole. */
const crdFile = (source: string, ...versions: string[]) =>
  `---\n# Source: ${source}\n` +
  versions.map((version, i) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${i === 0 ? "widgets" : "gadgets"}.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: ${version}, served: true, storage: true}]
`).join("---\n");

ruleCases(duplicateObject, [
  {
    name: "one object of each name: nothing to report",
    manifest: `${configMap("a", "fast")}---\n${configMap("b", "fast")}`,
    expect: [],
  },
  {
    name: "the same ConfigMap twice with different content: the later copy wins",
    manifest: `${configMap("settings", "fast")}---\n${configMap("settings", "safe")}`,
    expect: [
      {
        severity: "warning",
        object: "ConfigMap/settings",
        path: "metadata.name",
        line: 8,
        related: ["ConfigMap/settings"],
        messageId: "renderedTwice",
        data: { object: "ConfigMap/settings", first: "case.yaml", second: "case.yaml" },
        evidence: { identical: false, first: "case.yaml", second: "case.yaml" },
      },
    ],
  },
  {
    name: "identical copies are said to be identical; a third copy is reported against the first",
    manifest: `${configMap("settings", "fast")}---\n${configMap("settings", "fast")}---\n${configMap("settings", "fast")}`,
    expect: [
      { severity: "warning", object: "ConfigMap/settings", path: "metadata.name", line: 8, messageId: "renderedTwice", evidence: { identical: true } },
      { severity: "warning", object: "ConfigMap/settings", path: "metadata.name", line: 13, evidence: { identical: true } },
    ],
  },
  {
    name: "same name in other namespaces, kinds or API groups: different objects",
    manifest: [
      configMap("settings", "fast"),
      configMap("settings", "fast", ", namespace: other"),
      yaml`
        apiVersion: v1
        kind: Secret
        metadata: {name: settings}
      `,
      yaml`
        apiVersion: example.com/v1
        kind: ConfigMap
        metadata: {name: settings}
      `,
    ].join("---\n"),
    expect: [],
  },
  {
    name: "hooks and generateName objects are not release objects with a fixed identity",
    manifest: [
      configMap("settings", "fast", ", annotations: {helm.sh/hook: pre-install}"),
      configMap("settings", "safe", ", annotations: {helm.sh/hook: pre-upgrade}"),
      yaml`
        apiVersion: batch/v1
        kind: Job
        metadata: {generateName: migrate-}
      `,
      yaml`
        apiVersion: batch/v1
        kind: Job
        metadata: {generateName: migrate-}
      `,
    ].join("---\n"),
    expect: [],
  },
], { producedElsewhere: { renderedByTwo: "below: two templates of one chart render", crdsFolderTwice: "below: crds/ folders of a chart render" } });

test("duplicate-object: copies in two different manifest files are variants, not a duplicate", () => {
  const docs = [...parseYamlStream(configMap("settings", "fast"), "dev.yaml"), ...parseYamlStream(configMap("settings", "safe"), "prod.yaml")];
  const context = buildContext(objectsFromDocuments(docs, { namespace: "default" }).objects, DEFAULT_SETTINGS);
  assert.deepEqual(runRules(context, [duplicateObject]), []);
});

test("duplicate-object: two templates of one chart render are one source", () => {
  const release = { name: "shop", namespace: "default", chart: "charts/shop", valuesArguments: [] };
  const docs = [...parseYamlStream(configMap("settings", "fast"), "a"), ...parseYamlStream(configMap("settings", "safe"), "b")].map((doc, i) => ({
    ...doc,
    release,
    template: `charts/shop/templates/${i === 0 ? "a" : "b"}.yaml`,
  }));
  const context = buildContext(objectsFromDocuments(docs, { namespace: "default" }).objects, DEFAULT_SETTINGS);
  const findings = runRules(context, [duplicateObject]);
  assert.deepEqual(
    findings.map((f) => [f.object.name, f.messageId, f.data]),
    [["settings", "renderedByTwo", { object: "ConfigMap/settings", first: "charts/shop/templates/a.yaml", second: "charts/shop/templates/b.yaml" }]],
  );
});

test("duplicate-object: one CRD in the crds/ folders of a chart and its subcharts: silent when they agree, info when they differ; again in templates/, a warning", () => {
  const output = [
    crdFile("shop/crds/widgets.yaml", "v1", "v1"),
    crdFile("shop/charts/widget-crds/crds/widgets.yaml", "v1", "v1"),
    // The second document of this file (gadgets, v1beta1) has no `# Source:` line of its own.
    crdFile("shop/charts/old-crds/crds/widgets.yaml", "v1", "v1beta1"),
    crdFile("shop/templates/crds.yaml", "v1"),
  ].join("");
  const { docs } = parseRender(output, "shop", "/nonexistent/shop");
  // Where each crds/ file's first line is in the render (after its `# Source:` line): its documents' lines are the file's, shifted.
  assert.deepEqual(docs.map((doc) => doc.crdsFileStart), [3, 3, 24, 24, 45, 45, undefined]);
  const context = buildContext(objectsFromDocuments(docs, { namespace: "default" }).objects, DEFAULT_SETTINGS);
  assert.deepEqual(
    runRules(context, [duplicateObject]).map((f) => [f.severity, f.messageId, `${f.object.kind}/${f.object.name}`, f.location.line, f.data]),
    [
      ["info", "crdsFolderTwice", "CustomResourceDefinition/gadgets.example.com", 58, { object: "CustomResourceDefinition/gadgets.example.com", first: "shop/crds/widgets.yaml", second: "shop/charts/old-crds/crds/widgets.yaml" }],
      ["warning", "renderedByTwo", "CustomResourceDefinition/widgets.example.com", 69, { object: "CustomResourceDefinition/widgets.example.com", first: "shop/crds/widgets.yaml", second: "shop/templates/crds.yaml" }],
    ],
  );
});
