import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext, type AnalysisContext } from "../../src/analyze/context.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import { objectsFromDocuments } from "../../src/model/object.ts";

function contextOf(manifest: string): AnalysisContext {
  return buildContext(objectsFromDocuments(parseYamlStream(manifest, "m.yaml"), { namespace: "default" }).objects);
}

test("derived values are computed once per context, and each context has its own", () => {
  const calls: AnalysisContext[] = [];
  const objectNames = (context: AnalysisContext) => {
    calls.push(context);
    return context.objects.map((o) => o.ref.name);
  };
  const a = contextOf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
  const b = contextOf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
  assert.deepEqual([a.derived(objectNames), a.derived(objectNames), b.derived(objectNames)], [["a"], ["a"], ["b"]]);
  assert.deepEqual(calls, [a, b]);
  assert.equal(a.derived(objectNames), a.derived(objectNames), "the same value, not a copy");
});
