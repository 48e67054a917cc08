/** Shared pieces of the render tests: temp dirs, fake helm scripts, fixture paths, requests. */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { Helm, RenderRequest } from "../../src/render/helm.ts";

export const FIXTURE_CHARTS = new URL("../fixtures/charts/", import.meta.url).pathname;

export function fixtureChart(name: string): string {
  return join(FIXTURE_CHARTS, name);
}

const createdDirs: string[] = [];
after(() => Promise.all(createdDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A fresh temp directory, removed when the test file ends. */
export async function tempDir(label = "test"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `chartguard-${label}-`));
  createdDirs.push(dir);
  return dir;
}

/** Writes an executable `/bin/sh` script standing in for helm; returns its path. */
export async function fakeHelmScript(body: string, name = "helm"): Promise<string> {
  const file = join(await tempDir("fake-helm"), name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** A fake helm as helmTemplate sees it: locateHelm would refuse most of these scripts. */
export async function fakeHelm(body: string): Promise<Helm> {
  return { path: await fakeHelmScript(body), version: "v3.99.0", major: 3 };
}

export function renderRequest(chart: string, overrides: Partial<RenderRequest> = {}): RenderRequest {
  return {
    chart,
    release: "rel",
    namespace: "ns",
    valuesFiles: [],
    set: [],
    setString: [],
    setFile: [],
    setJson: [],
    apiVersions: [],
    ...overrides,
  };
}
