/**
 * Installing the Helm plugin the ways Helm offers, with the real Helm 3 and Helm 4, into
 * isolated Helm folders (HELM_DATA_HOME, HELM_CONFIG_HOME, HELM_CACHE_HOME, HELM_PLUGINS
 * under a temporary directory: nothing reaches the machine's Helm), then running
 * `helm chartguard check` with only node, helm and the base system on PATH: no npm, no
 * chartguard, no dist/ and no node_modules in the plugin (it runs bundle/chartguard.mjs).
 *
 *   a path            helm plugin install DIR                          (Helm 3 and 4)
 *   a git repository  helm plugin install file:///REPO                 (Helm 3; Helm 4 with --verify=false)
 *   a packaged plugin Helm 4: helm plugin install chartguard-V.tgz --verify=false
 *                     Helm 3: helm plugin install http://HOST/chartguard-V-helm3.tgz (Helm 3
 *                     installs archives from URLs only; a local HTTP server serves it)
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { helmBinaries, type TestHelm } from "../helpers/helm.ts";
import { GIT_ENV, PROJECT_ROOT, run } from "./run.ts";

interface PackageModule {
  packageHelmPlugin(destination: string): string[];
  pluginYamlV1(legacyText: string): string;
}
const { packageHelmPlugin, pluginYamlV1 } = (await import(new URL("../../scripts/helm-plugin-package.mjs", import.meta.url).href)) as PackageModule;

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-helm-install-"));
const VERSION = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
/** What a plugin install holds: the script, the bundle, and the rules' examples beside chartguard's package.json. */
const PLUGIN_FILES = [
  "plugin.yaml",
  "scripts/helm-plugin.sh",
  "bundle/chartguard.mjs",
  "package.json",
  ...readdirSync(path.join(PROJECT_ROOT, "docs", "rules")).flatMap((id) => readdirSync(path.join(PROJECT_ROOT, "docs", "rules", id)).map((file) => `docs/rules/${id}/${file}`)),
];

let helm4Archive = "";
let helm3Archive = "";
let server: ChildProcess | undefined;
let serverUrl = "";

/** Serves the files of one folder as application/gzip (what Helm 3 wants to see to treat a URL as an archive). */
const SERVER = `
const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
const root = process.argv[1];
const server = http.createServer((req, res) => {
  const file = path.join(root, path.basename(decodeURIComponent(new URL(req.url, "http://x").pathname)));
  if (!fs.existsSync(file)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": "application/gzip" });
  res.end(req.method === "HEAD" ? undefined : fs.readFileSync(file));
});
server.listen(0, "127.0.0.1", () => console.log("http://127.0.0.1:" + server.address().port));
`;

/** The plugin's files as a git repository holds them: committed, nothing built or installed. */
const REPO = path.join(tmp, "chartguard");
before(async () => {
  const archives = packageHelmPlugin(path.join(tmp, "archives"));
  assert.equal(archives.length, 2);
  [helm4Archive, helm3Archive] = archives as [string, string];
  for (const file of PLUGIN_FILES) cpSync(path.join(PROJECT_ROOT, file), path.join(REPO, file));
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "plugin"]]) {
    const git = run("git", args, { cwd: REPO, env: GIT_ENV });
    assert.equal(git.status, 0, git.stderr);
  }
  // A separate process: the tests' helm runs block this one.
  server = spawn(process.execPath, ["-e", SERVER, path.dirname(helm3Archive)], { stdio: ["ignore", "pipe", "inherit"] });
  serverUrl = await new Promise<string>((resolve, reject) => {
    server!.stdout!.once("data", (data: Buffer) => resolve(data.toString().trim()));
    server!.once("exit", (code) => reject(new Error(`the archive server exited with ${code}`)));
  });
});
after(() => {
  server?.kill();
  rmSync(tmp, { recursive: true, force: true });
});


/** PATH with node, helm and the base system (bash, coreutils, git), and nothing of the project's. */
function isolatedHelm(real: TestHelm, name: string) {
  const home = path.join(tmp, `helm${real.major}-${name}`);
  const bin = path.join(home, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, path.join(bin, "node"));
  symlinkSync(real.path, path.join(bin, "helm"));
  const env = {
    PATH: [bin, "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
    HOME: home,
    HELM_DATA_HOME: path.join(home, "data"),
    HELM_CONFIG_HOME: path.join(home, "config"),
    HELM_CACHE_HOME: path.join(home, "cache"),
    // Helm 4 installs into $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says; keep them one folder.
    HELM_PLUGINS: path.join(home, "data", "plugins"),
    CHARTGUARD_BIN: "",
    NODE_PATH: "",
    NO_PROXY: "127.0.0.1",
    no_proxy: "127.0.0.1",
    ...GIT_ENV,
  };
  const helm = (...args: string[]) => run(path.join(bin, "helm"), args, { cwd: home, env });
  return { helm, plugins: env.HELM_PLUGINS };
}

/** The chart of the README's example: a volatile selector (error) among other findings. */
const CHART = path.join(PROJECT_ROOT, "examples", "webapp");

function installArgs(real: TestHelm, source: "path" | "archive" | "git"): string[] {
  const verify = real.major === 4 && source !== "path" ? ["--verify=false"] : [];
  switch (source) {
    case "path":
      return [REPO];
    case "git":
      return [`file://${REPO}`, ...verify];
    case "archive":
      return [real.major === 4 ? helm4Archive : `${serverUrl}/${path.basename(helm3Archive)}`, ...verify];
  }
}

for (const real of helmBinaries()) {
  for (const source of ["path", "archive", "git"] as const) {
    test(`helm ${real.major}: helm plugin install from a ${source === "archive" ? "packaged plugin" : source}, then helm chartguard check with only node and helm`, () => {
      const { helm } = isolatedHelm(real, source);
      const install = helm("plugin", "install", ...installArgs(real, source));
      assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
      assert.match(install.stdout, /Installed plugin: chartguard/);

      const list = helm("plugin", "list");
      assert.equal(list.status, 0, list.stderr);
      // Helm 4 reads the Helm 4 archive's plugin.yaml in its own format (apiVersion v1).
      if (real.major === 4) {
        assert.match(list.stdout, new RegExp(`^chartguard\\s+${VERSION}\\s+cli/v1\\s+${source === "archive" ? "v1" : "legacy"}\\s`, "m"), list.stdout);
      } else {
        assert.match(list.stdout, new RegExp(`^chartguard\\s+${VERSION}\\s`, "m"), list.stdout);
      }

      const version = helm("chartguard", "--version");
      assert.deepEqual([version.status, version.stdout], [0, `${VERSION}\n`], version.stderr);

      const checked = helm("chartguard", "check", CHART, "-o", "json");
      assert.equal(checked.status, 1, checked.stderr);
      const findings = JSON.parse(checked.stdout).findings as { rule: string; severity: string; object: { kind: string } }[];
      assert.ok(findings.some((f) => f.rule === "volatile-claim-template" && f.severity === "error"), JSON.stringify(findings.map((f) => f.rule)));

      // The rule's page shows its examples, read from the plugin's docs/rules/.
      const explained = helm("chartguard", "rules", "merge-trap");
      assert.deepEqual([explained.status, explained.stderr], [0, ""]);
      assert.match(explained.stdout, /\nExample: the release as it is\n {4}apiVersion: apps\/v1\n/);
      assert.doesNotMatch(explained.stdout, /Examples not found/);
    });
  }
}

test("the packaged plugins: Helm 4's in a folder named after the plugin with plugin.yaml in its format, Helm 3's at the root in the legacy format", () => {
  const list = (archive: string) => run("tar", ["-tzf", archive]).stdout.split("\n").filter((line) => line && !line.endsWith("/")).sort();
  assert.equal(path.basename(helm4Archive), `chartguard-${VERSION}.tgz`);
  assert.deepEqual(list(helm4Archive), PLUGIN_FILES.map((file) => `chartguard/${file}`).sort());
  assert.equal(path.basename(helm3Archive), `chartguard-${VERSION}-helm3.tgz`);
  assert.deepEqual(list(helm3Archive), [...PLUGIN_FILES].sort());

  const legacyText = readFileSync(path.join(PROJECT_ROOT, "plugin.yaml"), "utf8");
  assert.equal(run("tar", ["-xzOf", helm3Archive, "plugin.yaml"]).stdout, legacyText);
  const legacy = parse(legacyText) as Record<string, unknown>;
  const v1 = parse(run("tar", ["-xzOf", helm4Archive, "chartguard/plugin.yaml"]).stdout) as Record<string, unknown>;
  assert.deepEqual(v1, parse(pluginYamlV1(legacyText)));
  assert.deepEqual(v1, {
    apiVersion: "v1",
    type: "cli/v1",
    name: "chartguard",
    version: VERSION,
    runtime: "subprocess",
    config: { shortHelp: legacy.usage, longHelp: legacy.description, ignoreFlags: false },
    runtimeConfig: { platformCommand: [{ command: "$HELM_PLUGIN_DIR/scripts/helm-plugin.sh" }] },
  });
});
