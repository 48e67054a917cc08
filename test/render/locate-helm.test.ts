import assert from "node:assert/strict";
import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import { locateHelm } from "../../src/render/helm.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fakeHelmScript, tempDir } from "./support.ts";

const NOT_FOUND = "helm not found: install Helm 3.8+ or pass --helm PATH / set HELM_BIN";

/** A PATH holding one directory with `helm` linked to the given binary. */
async function pathWithHelm(binary: string): Promise<string> {
  const dir = await tempDir("path");
  await symlink(binary, join(dir, "helm"));
  return dir;
}

describe("locateHelm", () => {
  for (const helm of helmBinaries()) {
    test(`accepts Helm ${helm.major} given with --helm and reads its version`, async () => {
      const located = await locateHelm(helm.path, { PATH: "" });
      assert.deepEqual(located, { path: helm.path, version: helm.version, major: helm.major });
      assert.match(located.version, new RegExp(`^v${helm.major}\\.\\d+\\.\\d+`));
    });
  }

  test("prefers --helm over $HELM_BIN over PATH", async () => {
    const [helm3, helm4] = helmBinaries();
    const onPath = await pathWithHelm(helm3!.path);
    assert.equal((await locateHelm(undefined, { PATH: onPath })).path, join(onPath, "helm"));
    assert.equal((await locateHelm(undefined, { PATH: onPath, HELM_BIN: helm4!.path })).major, 4);
    assert.equal((await locateHelm(helm3!.path, { PATH: onPath, HELM_BIN: helm4!.path })).major, 3);
  });

  test("looks a bare command name in --helm or $HELM_BIN up on PATH", async () => {
    const dir = await tempDir("path");
    await symlink(helmBinaries()[1]!.path, join(dir, "helm4"));
    assert.equal((await locateHelm("helm4", { PATH: dir })).major, 4);
    assert.equal((await locateHelm(undefined, { PATH: dir, HELM_BIN: "helm4" })).major, 4);
  });

  test("says how to get helm when there is none on PATH", async () => {
    const emptyDir = await tempDir("path");
    await assert.rejects(locateHelm(undefined, { PATH: emptyDir }), (error) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, NOT_FOUND);
      return true;
    });
    await assert.rejects(locateHelm(undefined, {}), { message: NOT_FOUND });
  });

  test("names the path when --helm or $HELM_BIN point at nothing runnable", async () => {
    const dir = await tempDir("path");
    const notExecutable = join(dir, "helm");
    await writeFile(notExecutable, "#!/bin/sh\necho v3.17.0\n", { mode: 0o644 });
    await assert.rejects(locateHelm(join(dir, "missing")), {
      name: "InputError",
      message: `helm not found: ${join(dir, "missing")} (from --helm) is not an executable file; install Helm 3.8+ or pass --helm PATH / set HELM_BIN`,
    });
    await assert.rejects(locateHelm(undefined, { PATH: "", HELM_BIN: notExecutable }), {
      message: new RegExp(`^helm not found: ${notExecutable} \\(from HELM_BIN\\)`),
    });
  });

  test("refuses a Helm older than 3.8, naming its version", async () => {
    const old = await fakeHelmScript('echo "v3.5.0+g32c2223"');
    await assert.rejects(locateHelm(old), (error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^helm at .* is v3\.5\.0\+g32c2223, but chartguard needs Helm 3\.8 or newer/);
      return true;
    });
  });

  test("refuses Helm 2, which prints its client version and then fails to reach Tiller", async () => {
    const helm2 = await fakeHelmScript('echo "Client: v2.17.0+ga690bad"\necho "Error: could not find tiller" >&2\nexit 1');
    await assert.rejects(locateHelm(helm2), { message: /is v2\.17\.0\+ga690bad, but chartguard needs Helm 3\.8/ });
  });

  test("accepts 3.8.0 exactly", async () => {
    const helm38 = await fakeHelmScript('echo "v3.8.0+gd141386"');
    assert.deepEqual(await locateHelm(helm38), { path: helm38, version: "v3.8.0+gd141386", major: 3 });
  });

  test("refuses a program that prints no version", async () => {
    const impostor = await fakeHelmScript('echo "usage: something else" >&2\nexit 2');
    await assert.rejects(locateHelm(impostor), {
      message: /^could not read the version of helm at .* \(usage: something else\)/,
    });
  });
});
