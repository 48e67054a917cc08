/**
 * The npm package as a consumer gets it: build into a staging copy, `npm pack`, install the
 * tarball into an empty project (offline, from the npm cache), then import the library
 * (JavaScript and a strict TypeScript typecheck against the shipped declarations), run the
 * `chartguard` bin, and install the Helm plugin the package carries.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { PROJECT_URL } from "../../src/analyze/rule.ts";
import { helmBinaries } from "../helpers/helm.ts";
import { PROJECT_ROOT, run } from "../integrations/run.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-package-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  files: string[];
  bin: Record<string, string>;
};
const STAGE = path.join(tmp, "stage");
const CONSUMER = path.join(tmp, "consumer");
const TSC = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
let packedFiles: string[] = [];
let tarball = "";

/** npm without the project's own .npmrc, quiet, never asking. */
function npm(args: string[], cwd: string) {
  return run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env: { npm_config_update_notifier: "false" }, timeout: 300_000 });
}

before(() => {
  // A staging copy with exactly what `files` names; dist/ is built fresh into it, so the
  // test neither depends on nor disturbs the project's own dist/.
  mkdirSync(STAGE);
  cpSync(path.join(PROJECT_ROOT, "package.json"), path.join(STAGE, "package.json"));
  for (const entry of pkg.files) {
    if (entry === "dist") continue;
    const from = path.join(PROJECT_ROOT, entry);
    if (existsSync(from)) cpSync(from, path.join(STAGE, entry), { recursive: true });
  }
  const build = run(process.execPath, [path.join(PROJECT_ROOT, "scripts", "build.mjs"), "--out-dir", path.join(STAGE, "dist")], { cwd: PROJECT_ROOT });
  assert.ok(existsSync(path.join(STAGE, "dist", "index.js")), `the build produced no dist/index.js:\n${build.stdout}${build.stderr}`);

  const pack = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], STAGE);
  assert.equal(pack.status, 0, pack.stderr);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = packed!.files.map((f) => f.path);

  mkdirSync(CONSUMER);
  writeFileSync(path.join(CONSUMER, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  tarball = path.join(tmp, packed!.filename);
  // The dependencies come from the npm cache that `npm ci` filled; the registry only if they are missing.
  let install = npm(["install", "--offline", "--ignore-scripts", tarball], CONSUMER);
  if (install.status !== 0) install = npm(["install", "--prefer-offline", "--ignore-scripts", tarball], CONSUMER);
  assert.equal(install.status, 0, install.stderr);
});

test("the tarball holds the build, the declarations, the config schema, the rules' examples and the Helm plugin, and no sources or tests", () => {
  for (const file of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "src/config/schema.json", "plugin.yaml", "scripts/helm-plugin.sh"]) {
    assert.ok(packedFiles.includes(file), `${file} is packed`);
  }
  const examples = readdirSync(path.join(PROJECT_ROOT, "docs", "rules")).flatMap((id) => readdirSync(path.join(PROJECT_ROOT, "docs", "rules", id)).map((file) => `docs/rules/${id}/${file}`));
  assert.ok(examples.length >= 30);
  assert.deepEqual(examples.filter((file) => !packedFiles.includes(file)), [], "every rule's examples are packed");
  assert.deepEqual(packedFiles.filter((f) => f.startsWith("test/") || (f.startsWith("src/") && f.endsWith(".ts")) || f.includes(".cache/")), []);
  assert.ok(Object.values(pkg.bin).every((bin) => packedFiles.includes(bin)), "every bin is packed");
  // A source map would point at src/*.ts, which is not shipped.
  assert.deepEqual(packedFiles.filter((f) => f.endsWith(".map")), []);
});

test("the tarball installed globally into an empty prefix: chartguard --version and a check with only node and helm on PATH", () => {
  const prefix = path.join(tmp, "prefix");
  mkdirSync(prefix);
  let install = npm(["install", "--global", "--prefix", prefix, "--offline", "--ignore-scripts", tarball], tmp);
  if (install.status !== 0) install = npm(["install", "--global", "--prefix", prefix, "--prefer-offline", "--ignore-scripts", tarball], tmp);
  assert.equal(install.status, 0, install.stderr);

  const bin = path.join(tmp, "only-node-and-helm");
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, "node"));
  symlinkSync(helmBinaries().at(-1)!.path, path.join(bin, "helm"));
  const env = { PATH: bin, HOME: tmp, NODE_PATH: "", HELM_BIN: "" };
  const chartguardBin = path.join(prefix, "bin", "chartguard");

  const version = run(chartguardBin, ["--version"], { cwd: tmp, env });
  assert.deepEqual([version.status, version.stdout, version.stderr], [0, `${pkg.version}\n`, ""]);

  const chart = path.join(tmp, "prefix-chart");
  mkdirSync(path.join(chart, "templates"), { recursive: true });
  writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  writeFileSync(path.join(chart, "templates", "deployment.yaml"), MANIFEST.replace("helm.sh/chart: web-1.0.0", "helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}"));
  const checked = run(chartguardBin, ["check", chart, "-o", "json", "--fail-on", "warning"], { cwd: tmp, env });
  assert.equal(checked.status, 1, checked.stderr);
  assert.deepEqual(JSON.parse(checked.stdout).findings.map((f: { rule: string; path: string }) => [f.rule, f.path]), [["volatile-pod-labels", "spec.template.metadata.labels"]]);
});

test("one project address everywhere: package.json, SARIF and rule links, the Action and plugin instructions", () => {
  const meta = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { homepage: string; repository: { url: string } };
  assert.equal(meta.homepage, `${PROJECT_URL}#readme`);
  assert.equal(meta.repository.url, `git+${PROJECT_URL}.git`);
  const repo = new URL(PROJECT_URL).pathname.slice(1);
  for (const file of ["README.md", "action.yml"]) {
    const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
    assert.doesNotMatch(text, /<owner>/, file);
    assert.match(text, new RegExp(`uses: ${repo}@`), file);
  }
});

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, helm.sh/chart: web-1.0.0}
`;

test("a JavaScript consumer imports the library and calls check, upgrade, the rules and the formatters", () => {
  writeFileSync(path.join(CONSUMER, "web.yaml"), MANIFEST);
  writeFileSync(path.join(CONSUMER, "web-v2.yaml"), MANIFEST.replace("app: web, helm", "app: web, tier: front, helm").replace("{app: web}}", "{app: web, tier: front}}"));
  writeFileSync(
    path.join(CONSUMER, "consumer.mjs"),
    `import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as chartguard from "chartguard";
const { check, upgrade, checkDocuments, parseYamlStream, CHECK_RULES, UPGRADE_RULES, ruleById, formatText, formatJson, formatSarif, formatMarkdown, parseConfig, InputError } = chartguard;

const result = await check({ inputs: ["web.yaml"] });
const config = parseConfig("rules:\\n  volatile-pod-labels: {severity: info}\\n", ".chartguard.yaml");
const configured = await check({ inputs: ["web.yaml"], config });
const plan = await upgrade({ from: "web.yaml", to: "web-v2.yaml" });
const core = checkDocuments(parseYamlStream(readFileSync("web.yaml", "utf8"), "web.yaml"), { namespace: "default" });
let error;
try { await check({ inputs: ["missing.yaml"] }); } catch (e) { error = e; }
const metas = [...CHECK_RULES, ...UPGRADE_RULES].map((r) => r.meta);
const schemaPath = createRequire(import.meta.url).resolve("chartguard/config-schema.json");
console.log(JSON.stringify({
  exports: Object.keys(chartguard).sort(),
  findings: result.findings.map((f) => [f.rule, f.severity, f.path, f.location.line]),
  summary: result.summary,
  configured: configured.findings.map((f) => [f.rule, f.severity]),
  upgrade: plan.findings.map((f) => [f.rule, f.path]),
  rolled: plan.impact.rolled.map((r) => r.object.name),
  core: core.findings.length,
  rules: metas.length,
  explained: Boolean(ruleById("volatile-pod-labels")?.meta.why),
  text: formatText(result, { color: false, rules: new Map(metas.map((m) => [m.id, m])) }).includes("volatile-pod-labels"),
  json: JSON.parse(formatJson(result)).findings.length,
  sarif: JSON.parse(formatSarif(result, { rules: metas })).version,
  markdown: formatMarkdown(result, {}).length > 0,
  inputError: error instanceof InputError,
  schema: JSON.parse(readFileSync(schemaPath, "utf8")).title,
}));
`,
  );
  const result = run(process.execPath, ["consumer.mjs"], { cwd: CONSUMER });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  for (const name of ["check", "upgrade", "checkDocuments", "upgradeDocuments", "CHECK_RULES", "UPGRADE_RULES", "ruleById", "formatText", "formatJson", "formatPlan", "formatSarif", "formatJunit", "formatGithub", "formatMarkdown", "loadConfig", "parseConfig", "applySuppressions", "InputError", "UsageError"]) {
    assert.ok(out.exports.includes(name), `chartguard exports ${name}`);
  }
  assert.deepEqual(out.findings, [["volatile-pod-labels", "warning", "spec.template.metadata.labels", 9]]);
  assert.deepEqual(out.summary, { error: 0, warning: 1, info: 0, suppressed: 0 });
  assert.deepEqual(out.configured, [["volatile-pod-labels", "info"]]);
  assert.ok(out.upgrade.some(([rule, p]: [string, string]) => rule === "immutable-field" && p === "spec.selector"), JSON.stringify(out.upgrade));
  assert.equal(out.core, 1);
  assert.ok(out.rules >= 10);
  assert.deepEqual([out.explained, out.text, out.json, out.sarif, out.markdown, out.inputError], [true, true, 1, "2.1.0", true, true]);
  assert.equal(out.schema, "chartguard configuration (.chartguard.yaml)");
});

test("a TypeScript consumer typechecks against the shipped declarations (strict, nodenext, no skipLibCheck)", () => {
  writeFileSync(
    path.join(CONSUMER, "consumer.ts"),
    `import { check, upgrade, loadConfig, applySuppressions, formatText, ruleById, type CheckOutcome, type Finding, type ChartguardConfig, type Severity, type UpgradeOutcome } from "chartguard";
const config: ChartguardConfig = loadConfig({ file: false });
const result: CheckOutcome = await check({ inputs: ["web.yaml"], namespace: "shop", config, showSuppressed: true });
const findings: readonly Finding[] = result.findings;
const severity: Severity | undefined = findings[0]?.severity;
const suppressed: number = result.summary.suppressed;
const plan: UpgradeOutcome = await upgrade({ from: "web.yaml", to: "web-v2.yaml", valuesFiles: [] });
const kept = applySuppressions(plan.findings, { docs: [], namespace: "shop", config });
const text: string = formatText(result, { color: false, rules: new Map() });
console.log(severity, suppressed, plan.impact.rolled.length, kept.suppressed.length, text.length, ruleById("selector-overlap")?.meta.fix);
// @ts-expect-error: the options are typed
await check({ inputs: "web.yaml" });
`,
  );
  writeFileSync(
    path.join(CONSUMER, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [path.join(PROJECT_ROOT, "node_modules", "@types")],
      },
      files: ["consumer.ts"],
    }),
  );
  const result = run(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: CONSUMER });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test("the installed bin runs check and rules", () => {
  const bin = path.join(CONSUMER, "node_modules", ".bin", "chartguard");
  const checked = run(bin, ["check", "-o", "json", "--fail-on", "warning", "web.yaml"], { cwd: CONSUMER });
  assert.equal(checked.status, 1, checked.stderr);
  assert.equal(JSON.parse(checked.stdout).findings[0].rule, "volatile-pod-labels");
  const usage = run(bin, ["check"], { cwd: CONSUMER });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^chartguard: /);
  const rules = run(bin, ["rules"], { cwd: CONSUMER });
  assert.equal(rules.status, 0, rules.stderr);
  assert.match(rules.stdout, /selector-overlap/);
  // The examples come from the package's docs/rules/ (dist/ finds the package root above it).
  const explained = run(bin, ["rules", "merge-trap"], { cwd: CONSUMER });
  assert.deepEqual([explained.status, explained.stderr], [0, ""]);
  const from = readFileSync(path.join(PROJECT_ROOT, "docs", "rules", "merge-trap", "from.yaml"), "utf8");
  assert.ok(explained.stdout.includes(`\nExample: the release as it is\n${from.trimEnd().replace(/^/gm, "    ")}\n`), explained.stdout);
  assert.match(explained.stdout, /\nWhat chartguard says about it\n {2}error at /);
});

test("the Helm plugin installs from the installed package and runs its bundled chartguard", () => {
  const helm = helmBinaries().at(-1)!;
  const home = path.join(tmp, "helm-home");
  const env = {
    HELM_DATA_HOME: path.join(home, "data"),
    HELM_CONFIG_HOME: path.join(home, "config"),
    HELM_CACHE_HOME: path.join(home, "cache"),
    HELM_PLUGINS: path.join(home, "data", "plugins"),
    CHARTGUARD_BIN: "",
  };
  const install = run(helm.path, ["plugin", "install", path.join(CONSUMER, "node_modules", "chartguard")], { env });
  assert.equal(install.status, 0, install.stderr);
  const chart = path.join(tmp, "chart");
  mkdirSync(path.join(chart, "templates"), { recursive: true });
  writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
  // The chart label comes from the chart's version: the version probe proves it volatile.
  writeFileSync(path.join(chart, "templates", "deployment.yaml"), MANIFEST.replace("helm.sh/chart: web-1.0.0", "helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}"));
  const checked = run(helm.path, ["chartguard", "check", chart, "-o", "json"], { env, cwd: tmp });
  assert.equal(checked.status, 0, checked.stderr);
  const [finding] = JSON.parse(checked.stdout).findings;
  assert.equal(finding.rule, "volatile-pod-labels");
  // Relative to where the user stands (cwd tmp), though the chart was named by its absolute path.
  assert.equal(finding.location.template, "chart/templates/deployment.yaml");
});
