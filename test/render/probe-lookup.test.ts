/**
 * The upgrade probe's copy: every `lookup` call rewritten to answer from the base render,
 * checked on the text, then end to end with the real helm (3 and 4).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { chartTree } from "../../src/render/probe-copy.ts";
import { answerLookupsFromRender, clusterTemplate, writeClusterTemplate } from "../../src/render/probe-lookup.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { tempDir } from "./support.ts";

async function chartWith(template: string): Promise<string> {
  const chart = join(await tempDir("lookup"), "chart");
  await mkdir(join(chart, "templates"), { recursive: true });
  await writeFile(join(chart, "Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
  await writeFile(join(chart, "templates", "secret.yaml"), template);
  return chart;
}

describe("answerLookupsFromRender", () => {
  test("rewrites each call with its four operands (strings, fields, variables, pipelines in parentheses), and leaves comments and text alone", async () => {
    const chart = await chartWith(
      [
        '{{/* lookup "v1" "Secret" here is a comment */}}',
        '{{- $a := lookup "v1" "Secret" .Release.Namespace (printf "%s-x" .Release.Name) -}}',
        '{{- $b := (lookup "v1" "ConfigMap" $ns $name).data -}}',
        "note: dns lookup of the service",
        '{{- $c := lookup "apps/v1" $kind "" "" | default dict }}',
      ].join("\n"),
    );
    const kinds = answerLookupsFromRender(chartTree(chart));
    assert.deepEqual([...kinds], ["Secret", "ConfigMap", "*"]);
    assert.equal(
      await readFile(join(chart, "templates", "secret.yaml"), "utf8"),
      [
        '{{/* lookup "v1" "Secret" here is a comment */}}',
        '{{- $a := (include "chartguard.lookup" (list "v1" "Secret" .Release.Namespace (printf "%s-x" .Release.Name)) | fromJson) -}}',
        '{{- $b := ((include "chartguard.lookup" (list "v1" "ConfigMap" $ns $name) | fromJson) ).data -}}',
        "note: dns lookup of the service",
        '{{- $c := (include "chartguard.lookup" (list "apps/v1" $kind "" "") | fromJson) | default dict }}',
      ].join("\n"),
    );
  });

  test("a chart with no lookup is left as it is", async () => {
    const chart = await chartWith("data:\n  x: {{ randAlphaNum 5 }}\n");
    assert.equal(answerLookupsFromRender(chartTree(chart)).size, 0);
  });
});

for (const helm of helmBinaries()) {
  describe(`the upgrade probe's lookup with Helm ${helm.major}`, () => {
    test("answers from the base render: stringData stored as data, `{{` in a value kept as text, a missing object empty, a list by kind", async () => {
      const chart = await chartWith(
        [
          '{{- $old := lookup "v1" "Secret" .Release.Namespace "app-secret" }}',
          '{{- $missing := lookup "v1" "Secret" .Release.Namespace "nothing" }}',
          '{{- $all := lookup "v1" "Secret" .Release.Namespace "" }}',
          '{{- $everywhere := lookup "v1" "Secret" "" "" }}',
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: seen",
          "data:",
          '  token: {{ index $old.data "token" | b64dec | quote }}',
          "  missing: {{ empty $missing | quote }}",
          "  count: {{ len $all.items | quote }}",
          "  everywhere: {{ len $everywhere.items | quote }}",
        ].join("\n"),
      );
      const base = parseYamlStream(
        ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app-secret", "stringData:", '  token: "a{{b}}c"'].join("\n"),
        "base.yaml",
      );
      const kinds = answerLookupsFromRender(chartTree(chart));
      const cluster = clusterTemplate(base, "default", kinds);
      assert.doesNotMatch(cluster.split("\n").slice(-3).join("\n"), /\{\{b/);
      writeClusterTemplate(chart, cluster);
      const output = execFileSync(helm.path, ["template", "app", chart, "--namespace", "default"], { encoding: "utf8" });
      const data = (parseYamlStream(output, "out.yaml").find((doc) => (doc.value as { kind?: string }).kind === "ConfigMap")!.value as { data: unknown }).data;
      assert.deepEqual(data, { token: "a{{b}}c", missing: "true", count: "1", everywhere: "1" });
    });
  });
}
