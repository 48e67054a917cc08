// Packages the Helm plugin for installing from a file or a release URL, one archive per
// plugin format, each holding plugin.yaml, scripts/helm-plugin.sh, the single-file
// bundle/chartguard.mjs (so that node and helm are all it needs), and the rules' examples
// (docs/rules/, found beside chartguard's package.json):
//
//   chartguard-VERSION.tgz        Helm 4: plugin.yaml in Helm 4's format (apiVersion v1), in
//                                 a top folder named after the plugin, as `helm plugin
//                                 package` lays it out and `helm plugin install FILE.tgz` wants.
//   chartguard-VERSION-helm3.tgz  Helm 3: the legacy plugin.yaml at the archive's root, as
//                                 Helm 3's `helm plugin install https://.../x.tgz` wants
//                                 (Helm 3 installs archives from URLs only).
//
// One archive cannot serve both: Helm 3 reads only the legacy format and Helm 4 reads a
// `apiVersion: v1` plugin.yaml strictly, so no single file is both. The repository's own
// plugin.yaml (git URL and path installs, read by Helm 3 and Helm 4) stays legacy.
//
//   node scripts/helm-plugin-package.mjs [DEST]     write both archives into DEST (default .)
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { isRunDirectly } from "./run-directly.mjs";

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const PROJECT_ROOT = resolve(dirname(SCRIPT_PATH), "..");
/**
 * What an installed plugin needs besides plugin.yaml: the rules' examples (docs/rules/)
 * are found in the folder holding chartguard's package.json (src/load/rule-examples.ts).
 */
const PLUGIN_FILES = ["scripts/helm-plugin.sh", "bundle/chartguard.mjs", "package.json", "docs/rules"];

/** plugin.yaml (legacy, as Helm 3 reads it) in Helm 4's format: the same command and texts. */
export function pluginYamlV1(legacyText) {
  const legacy = parse(legacyText);
  return stringify(
    {
      apiVersion: "v1",
      type: "cli/v1",
      name: legacy.name,
      version: legacy.version,
      runtime: "subprocess",
      config: { shortHelp: legacy.usage, longHelp: legacy.description, ignoreFlags: legacy.ignoreFlags },
      runtimeConfig: { platformCommand: [{ command: legacy.command }] },
    },
    { lineWidth: 0, blockQuote: "literal" },
  );
}

/** Writes both archives into `destination`; returns their paths, Helm 4's first. */
export function packageHelmPlugin(destination) {
  const legacyText = readFileSync(join(PROJECT_ROOT, "plugin.yaml"), "utf8");
  const { name, version } = parse(legacyText);
  const stage = mkdtempSync(join(tmpdir(), "chartguard-plugin-package-"));
  try {
    const layouts = [
      { archive: `${name}-${version}.tgz`, root: name, pluginYaml: pluginYamlV1(legacyText) },
      { archive: `${name}-${version}-helm3.tgz`, root: ".", pluginYaml: legacyText },
    ];
    mkdirSync(destination, { recursive: true });
    return layouts.map(({ archive, root, pluginYaml }, index) => {
      const dir = join(stage, String(index), root);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "plugin.yaml"), pluginYaml);
      for (const file of PLUGIN_FILES) cpSync(join(PROJECT_ROOT, file), join(dir, file), { recursive: true });
      const output = resolve(destination, archive);
      // Owner, order and times fixed: the same archive from the same files.
      execFileSync("tar", ["-C", join(stage, String(index)), "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--use-compress-program=gzip -n", "-cf", output, ...topEntries(root)]);
      return output;
    });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * What to archive: the top folder, or for the root layout its entries one by one, as Helm 3
 * refuses an archive with a `./` entry (it mkdirs the folder it extracts into, which exists).
 */
function topEntries(root) {
  if (root !== ".") return [root];
  return ["plugin.yaml", ...new Set(PLUGIN_FILES.map((file) => file.split("/")[0]))];
}

if (isRunDirectly(import.meta.url)) {
  for (const archive of packageHelmPlugin(resolve(process.argv[2] ?? "."))) console.log(archive);
}
