import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { helmBinaries } from "../helpers/helm.ts";
import { oracleParse } from "../helpers/yaml-oracle.ts";

for (const helm of helmBinaries()) {
  describe(`the YAML oracle (Helm ${helm.major})`, () => {
    test("reads YAML 1.1 scalars as Kubernetes does", async () => {
      const text = ["a: yes", "b: on", "mode: 0777", "version: 1.10", "date: 2001-12-14", "quoted: 'yes'", "mixed: yEs", "nothing: ~"].join("\n");
      assert.deepEqual(await oracleParse(helm, text), {
        a: true,
        b: true,
        mode: 511,
        version: 1.1,
        date: "2001-12-14",
        quoted: "yes",
        mixed: "yEs",
        nothing: null,
      });
    });

    test("reads the keys y, yes and on as the boolean true, so they collapse into one", async () => {
      assert.deepEqual(await oracleParse(helm, "y: 1\nyes: 2\non: 3\n"), { true: 3 });
    });

    test("keeps the last of duplicate keys and resolves merge keys", async () => {
      const text = "base: &base {a: 1, b: 2}\nderived:\n  <<: *base\n  b: 3\nname: x\nname: y\n";
      assert.deepEqual(await oracleParse(helm, text), { base: { a: 1, b: 2 }, derived: { a: 1, b: 3 }, name: true });
    });

    test("refuses input that is not a mapping", async () => {
      await assert.rejects(oracleParse(helm, "- a\n- b\n"), /sigs\.k8s\.io\/yaml rejected the input/);
    });
  });
}
