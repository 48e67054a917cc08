import assert from "node:assert/strict";
import { copyFile, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { locateHelm } from "../../src/render/helm.ts";
import { rememberedVersion, rememberVersion } from "../../src/render/helm-version-cache.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { fakeHelmScript, tempDir } from "./support.ts";

/** A copy of the Helm 3 binary of its own (its times can change without touching the shared one), and a cache home. */
async function ownHelm(): Promise<{ helm: string; env: NodeJS.ProcessEnv; cacheFile: string }> {
  const helm = join(await tempDir("own-helm"), "helm");
  await copyFile(helmBinaries()[0]!.path, helm);
  const cache = await tempDir("cache");
  return { helm, env: { PATH: "", XDG_CACHE_HOME: cache }, cacheFile: join(cache, "chartguard", "helm-versions.json") };
}

describe("Helm's version remembered between runs", () => {
  test("the version `helm version` gave is remembered for that binary, and read instead of asking again", async () => {
    const { helm, env, cacheFile } = await ownHelm();
    const first = await locateHelm(helm, env);
    assert.equal(rememberedVersion(helm, env), first.version);
    // What is remembered is what the next run believes: a version helm would not print proves it was read.
    const [[key]] = JSON.parse(await readFile(cacheFile, "utf8")) as [[string, string]];
    await writeFile(cacheFile, JSON.stringify([[key, "v3.5.0+g32c2223"]]));
    await assert.rejects(locateHelm(helm, env), { message: /^helm at .* is v3\.5\.0\+g32c2223, but chartguard needs Helm 3\.8 or newer/ });
  });

  test("a binary changed since (new times) is asked again", async () => {
    const { helm, env, cacheFile } = await ownHelm();
    rememberVersion(helm, "v3.5.0+g32c2223", env);
    assert.equal(rememberedVersion(helm, env), "v3.5.0+g32c2223");
    await utimes(helm, new Date(2030, 0, 1), new Date(2030, 0, 1));
    assert.equal(rememberedVersion(helm, env), undefined);
    assert.equal((await locateHelm(helm, env)).version, helmBinaries()[0]!.version);
    assert.equal((JSON.parse(await readFile(cacheFile, "utf8")) as unknown[]).length, 2, "the new identity is added, the old one kept until it ages out");
  });

  test("a script is never remembered: a shim may run another helm in another folder", async () => {
    const cache = await tempDir("cache");
    const env = { PATH: "", XDG_CACHE_HOME: cache };
    const shim = await fakeHelmScript('echo "v3.17.2+gcc0bbbd"');
    assert.equal((await locateHelm(shim, env)).version, "v3.17.2+gcc0bbbd");
    rememberVersion(shim, "v3.17.2+gcc0bbbd", env);
    assert.equal(rememberedVersion(shim, env), undefined);
  });

  test("no cache folder, or a cache file that is not the cache's, is only a miss", async () => {
    const { helm, env, cacheFile } = await ownHelm();
    assert.equal(rememberedVersion(helm, { PATH: "" }), undefined);
    rememberVersion(helm, "v3.17.2", { PATH: "" });
    assert.equal((await locateHelm(helm, { PATH: "" })).version, helmBinaries()[0]!.version);
    await locateHelm(helm, env);
    for (const text of ["not json", '{"a": 1}', "[[1, 2], null]", ""]) {
      await writeFile(cacheFile, text);
      assert.equal(rememberedVersion(helm, env), undefined, text);
      assert.equal((await locateHelm(helm, env)).version, helmBinaries()[0]!.version, text);
    }
  });

  test("HOME/.cache when XDG_CACHE_HOME is not set", async () => {
    const { helm } = await ownHelm();
    const home = await tempDir("home");
    await locateHelm(helm, { PATH: "", HOME: home });
    const entries = JSON.parse(await readFile(join(home, ".cache", "chartguard", "helm-versions.json"), "utf8")) as [string, string][];
    assert.deepEqual(entries.map(([, version]) => version), [helmBinaries()[0]!.version]);
  });
});
