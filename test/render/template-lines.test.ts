/** Finding the template line that produced a field: exact lines. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { chartFileResolver, templateLineIn } from "../../src/render/template-lines.ts";
import { templateHints } from "../../src/template-locator.ts";
import { fixtureChart } from "./support.ts";

const webapp = (file: string) => readFileSync(join(fixtureChart("../../../examples/webapp"), "templates", file), "utf8");

describe("templateLineIn", () => {
  const deployment = webapp("deployment.yaml");

  test("a label written literally: its own line", () => {
    const text = readFileSync(join(fixtureChart("probes/image-tag-selector"), "templates", "deployment.yaml"), "utf8");
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "selector", "matchLabels", "build"], []), 9);
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "template", "spec", "containers", 1, "image"], []), 20);
  });

  test("a label from a helper: the include line inside the block", () => {
    assert.equal(templateLineIn(deployment, "Deployment", 0, ["spec", "template", "metadata", "labels", "helm.sh/chart"], templateHints({ cause: "chart-version" })), 18);
    assert.equal(templateLineIn(deployment, "Deployment", 0, ["spec", "selector", "matchLabels", "app.kubernetes.io/name"], []), 11);
  });

  test("a values map copied in whole: the line naming the values path, not the helper before it", () => {
    assert.equal(templateLineIn(deployment, "Deployment", 0, ["spec", "selector", "matchLabels"], templateHints({ cause: "values", valuesPath: "web.labels" })), 12);
    // Without a hint, the map's own key line.
    assert.equal(templateLineIn(deployment, "Deployment", 0, ["spec", "selector", "matchLabels"], []), 10);
  });

  test("claim templates: through the list item to the labels helper", () => {
    const statefulset = webapp("cache-statefulset.yaml");
    const path = ["spec", "volumeClaimTemplates", 0, "metadata", "labels", "app.kubernetes.io/version"];
    assert.equal(templateLineIn(statefulset, "StatefulSet", 0, path, templateHints({ cause: "app-version" })), 28);
    assert.equal(templateLineIn(statefulset, "StatefulSet", 0, ["spec", "volumeClaimTemplates", 0, "metadata", "name"], []), 26);
  });

  test("several documents in one template: the one of the object's kind and order", () => {
    const text = [
      "apiVersion: v1", //                                   1
      "kind: Service", //                                    2
      "metadata:", //                                        3
      "  name: a", //                                        4
      "spec:", //                                            5
      "  selector:", //                                      6
      "    app: a", //                                       7
      "---", //                                              8
      "apiVersion: apps/v1", //                              9
      "kind: Deployment", //                                 10
      "metadata:", //                                        11
      "  name: a", //                                        12
      "spec:", //                                            13
      "  selector:", //                                      14
      "    matchLabels:", //                                 15
      "      app: a", //                                     16
      "      rev: {{ .Release.Revision | quote }}", //       17
      "  template:", //                                      18
      "    metadata:", //                                    19
      "      annotations:", //                               20
      "        rollme: {{ randAlphaNum 5 | quote }}", //     21
      "---", //                                              22
      "apiVersion: apps/v1", //                              23
      "kind: Deployment", //                                 24
      "metadata:", //                                        25
      "  name: b", //                                        26
      "spec:", //                                            27
      "  selector:", //                                      28
      "    matchLabels:", //                                 29
      "      {{- include \"b.labels\" . | nindent 6 }}", // 30
    ].join("\n");
    assert.equal(templateLineIn(text, "Service", 0, ["spec", "selector", "app"], []), 7);
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "selector", "matchLabels", "rev"], []), 17);
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "template", "metadata", "annotations", "rollme"], []), 21);
    assert.equal(templateLineIn(text, "Deployment", 1, ["spec", "selector", "matchLabels", "app"], []), 30);
    assert.equal(templateLineIn(text, "ConfigMap", 0, ["data"], []), undefined);
  });

  test("sequences at their parent's indentation, and inline values", () => {
    const text = ["kind: Deployment", "spec:", "  template:", "    spec:", "      containers:", "      - name: a", "        image: x", "      - name: b", "        image: {{ .Values.image.tag }}", "  selector: {{ toYaml .Values.selector | nindent 4 }}"].join("\n");
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "template", "spec", "containers", 1, "image"], []), 9);
    assert.equal(templateLineIn(text, "Deployment", 0, ["spec", "selector", "matchLabels", "x"], []), 10);
  });
});

describe("chartFileResolver", () => {
  test("an aliased subchart's template is found in the folder named after the chart", () => {
    const resolve = chartFileResolver(fixtureChart("probes/umbrella"));
    assert.equal(resolve("charts/jobs/templates/deployment.yaml"), join("charts", "worker", "templates", "deployment.yaml"));
    assert.equal(resolve("templates/deployment.yaml"), "templates/deployment.yaml");
    assert.equal(resolve("charts/nothing/templates/x.yaml"), undefined);
  });
});
