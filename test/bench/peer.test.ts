/**
 * The npm peer the bench compares chartguard with (bench/peer.mjs): it must be given every
 * object of a cluster dump, the items of a `kind: List` one by one, or the comparison is not
 * on the same input.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test("bench/peer.mjs gives @monokle/validation each item of a List and each document", () => {
  const dir = mkdtempSync(join(tmpdir(), "chartguard-peer-"));
  try {
    const file = join(dir, "dump.yaml");
    const deployment = (name: string) =>
      `  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: ${name}, namespace: shop}\n    spec:\n      selector: {matchLabels: {app: ${name}}}\n      template:\n        metadata: {labels: {app: ${name}}}\n        spec: {containers: [{name: ${name}, image: "${name}:1"}]}\n`;
    writeFileSync(
      file,
      `apiVersion: v1\nkind: List\nitems:\n${deployment("web")}${deployment("api")}---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n`,
    );
    const output = execFileSync(process.execPath, [join("bench", "peer.mjs"), file], { encoding: "utf8" });
    const { resources, problems } = JSON.parse(output) as { resources: number; problems: number };
    assert.equal(resources, 3);
    assert.ok(Number.isInteger(problems) && problems > 0, `the peer's plugins report the pods' missing security settings: ${problems}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
