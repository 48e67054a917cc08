import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { chartOptionsWithConfig, settingsWithConfig } from "../../src/config/apply.ts";
import { chartSettingsFor, findConfigFile, loadConfig, parseConfig } from "../../src/config/config.ts";
import { DEFAULT_SETTINGS } from "../../src/analyze/context.ts";
import { InputError } from "../../src/errors.ts";

const FULL = `# yaml-language-server: $schema=../src/config/schema.json
$schema: https://unpkg.com/chartguard/src/config/schema.json
rules:
  selector-overlap: {severity: warning}
  volatile-pod-labels:
    enabled: false
volatileLabelKeys: [example.com/build-id, git-sha]
allowedOverlaps:
  - label: track=canary
    reason: canary and stable share the Service
  - object: Job/web-migrate
    namespace: shop
ignoreProbeCauses:
  volatile-pod-labels: [image-tag, random]
kubernetesVersion: "1.30"
argoRolloutsVersion: v1.8.3
charts:
  charts/web:
    valuesFiles: [charts/web/values-prod.yaml]
    release: web
`;

test("a full config parses into the documented shape", () => {
  assert.deepEqual(parseConfig(FULL, "/repo/.chartguard.yaml"), {
    $schema: "https://unpkg.com/chartguard/src/config/schema.json",
    rules: { "selector-overlap": { severity: "warning" }, "volatile-pod-labels": { enabled: false } },
    volatileLabelKeys: ["example.com/build-id", "git-sha"],
    allowedOverlaps: [{ label: "track=canary", reason: "canary and stable share the Service" }, { object: "Job/web-migrate", namespace: "shop" }],
    ignoreProbeCauses: { "volatile-pod-labels": ["image-tag", "random"] },
    kubernetesVersion: "1.30",
    argoRolloutsVersion: "v1.8.3",
    charts: { "charts/web": { valuesFiles: ["charts/web/values-prod.yaml"], release: "web" } },
    file: "/repo/.chartguard.yaml",
    baseDir: "/repo",
  });
});

test("an empty file or a file of comments is an empty config", () => {
  assert.deepEqual(parseConfig("", "/r/.chartguard.yaml"), { file: "/r/.chartguard.yaml", baseDir: "/r" });
  assert.deepEqual(parseConfig("# nothing yet\n", "/r/.chartguard.yaml"), { file: "/r/.chartguard.yaml", baseDir: "/r" });
});

/** The InputError a config text is refused with, as `file:line: message`. */
function refusal(text: string): string {
  try {
    parseConfig(text, "cfg.yaml");
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error.oneLine;
  }
  assert.fail(`accepted: ${text}`);
}

const REFUSED: [string, string, string][] = [
  ["unknown top-level key, with a suggestion", "rules: {}\nvolatileLabelkeys: [a]\n", 'cfg.yaml:2: unknown key "volatileLabelkeys" in the config (did you mean "volatileLabelKeys"?); known keys: $schema, rules, volatileLabelKeys, allowedOverlaps, ignoreProbeCauses, kubernetesVersion, argoRolloutsVersion, charts'],
  ["unknown nested key", "rules:\n  selector-overlap:\n    enable: false\n", 'cfg.yaml:3: unknown key "enable" in rules["selector-overlap"] (did you mean "enabled"?); known keys: enabled, severity'],
  ["unknown rule id", "rules:\n  selector-overlaps: {enabled: false}\n", 'cfg.yaml:2: unknown rule "selector-overlaps" in rules (did you mean "selector-overlap"?); `chartguard rules` lists them'],
  ["unknown rule id in ignoreProbeCauses", "ignoreProbeCauses:\n  nope: [name]\n", 'cfg.yaml:2: unknown rule "nope" in ignoreProbeCauses; `chartguard rules` lists them'],
  ["enabled is not a boolean", "rules:\n  selector-overlap:\n    enabled: \"no\"\n", 'cfg.yaml:3: rules["selector-overlap"].enabled must be true or false, not "no"'],
  ["unknown severity", "rules:\n  selector-overlap: {severity: fatal}\n", 'cfg.yaml:2: rules["selector-overlap"].severity must be one of error, warning, info, not "fatal"'],
  ["a version YAML reads as a number", "kubernetesVersion: 1.30\n", "cfg.yaml:1: kubernetesVersion must be a string, not 1.3 (quote it: YAML reads 1.30 as the number 1.3)"],
  ["a version that is no version", "argoRolloutsVersion: latest\n", 'cfg.yaml:1: argoRolloutsVersion: "latest" is not a version like 1.30 or v1.30.2'],
  ["a list where a mapping belongs", "rules: [selector-overlap]\n", "cfg.yaml:1: rules must be a mapping (key: value), not a list"],
  ["a scalar where a list belongs", "volatileLabelKeys: example.com/x\n", 'cfg.yaml:1: volatileLabelKeys must be a list, not "example.com/x"'],
  ["an invalid label key", "volatileLabelKeys:\n  - ok\n  - -bad-\n", 'cfg.yaml:3: volatileLabelKeys[1]: "-bad-" is not a valid label key: name part must consist of alphanumeric characters'],
  ["label and object together", "allowedOverlaps:\n  - label: a\n    object: Service/x\n", "cfg.yaml:2: allowedOverlaps[0] needs exactly one of label, object, not label and object"],
  ["neither label nor object", "allowedOverlaps:\n  - reason: because\n", "cfg.yaml:2: allowedOverlaps[0] needs exactly one of label, object"],
  ["namespace without object", "allowedOverlaps:\n  - label: a\n    namespace: shop\n", "cfg.yaml:3: allowedOverlaps[0]: namespace goes with object, not with label"],
  ["object that is not Kind/name", "allowedOverlaps:\n  - object: web\n", 'cfg.yaml:2: allowedOverlaps[0].object: "web" is not Kind/name, e.g. Service/web'],
  ["unknown probe cause", "ignoreProbeCauses:\n  volatile-pod-labels: [image]\n", 'cfg.yaml:2: ignoreProbeCauses["volatile-pod-labels"][0] must be one of name, chart-version, app-version, image-tag, values, random, not "image"'],
  ["unknown key in a chart entry", "charts:\n  charts/web:\n    values: [a.yaml]\n", 'cfg.yaml:3: unknown key "values" in charts["charts/web"]; known keys: valuesFiles, release'],
  ["invalid release name", "charts:\n  web:\n    release: Web_1\n", 'cfg.yaml:3: charts.web.release: "Web_1" is not a valid release name (lowercase letters, digits, - and .)'],
  ["duplicate keys", "rules: {}\nrules: {}\n", "cfg.yaml:2: YAML syntax error in config: Map keys must be unique"],
  ["YAML syntax error", "rules:\n  a: [\n", "cfg.yaml:3: YAML syntax error in config:"],
  ["a config that is a list", "- rules\n", "cfg.yaml:1: the config must be a mapping (key: value), not a list"],
  ["__proto__ is an unknown key, not a prototype", "__proto__: {}\n", 'cfg.yaml:1: unknown key "__proto__" in the config'],
];

for (const [name, text, expected] of REFUSED) {
  test(`refused: ${name}`, () => {
    const message = refusal(text);
    assert.ok(message.startsWith(expected), `\n  got:      ${message}\n  expected: ${expected}…`);
  });
}

test("aliases are followed", () => {
  const config = parseConfig("rules:\n  selector-overlap: &off {enabled: false}\n  dangling-selector: *off\n", "c.yaml");
  assert.deepEqual(config.rules, { "selector-overlap": { enabled: false }, "dangling-selector": { enabled: false } });
});

const tmp = mkdtempSync(path.join(tmpdir(), "chartguard-config-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("the config is found in the working directory or the nearest folder above", () => {
  const root = path.join(tmp, "find");
  const deep = path.join(root, "a", "b", "c");
  mkdirSync(deep, { recursive: true });
  assert.equal(findConfigFile(deep), undefined);
  writeFileSync(path.join(root, ".chartguard.yaml"), "kubernetesVersion: '1.29'\n");
  assert.equal(findConfigFile(deep), path.join(root, ".chartguard.yaml"));
  writeFileSync(path.join(root, "a", ".chartguard.yml"), "kubernetesVersion: '1.28'\n");
  assert.equal(findConfigFile(deep), path.join(root, "a", ".chartguard.yml"));
  assert.equal(loadConfig({ cwd: deep }).kubernetesVersion, "1.28");
  assert.equal(loadConfig({ cwd: root }).kubernetesVersion, "1.29");
  assert.equal(loadConfig({ cwd: deep }).baseDir, path.join(root, "a"));
});

test("--config names a file (relative to the working directory); --no-config reads none", () => {
  const dir = path.join(tmp, "named");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "ci.yaml"), "volatileLabelKeys: [example.com/sha]\n");
  writeFileSync(path.join(dir, ".chartguard.yaml"), "volatileLabelKeys: [other]\n");
  assert.deepEqual(loadConfig({ cwd: dir, file: "ci.yaml" }).volatileLabelKeys, ["example.com/sha"]);
  assert.deepEqual(loadConfig({ cwd: dir, file: false }), {});
  assert.throws(() => loadConfig({ cwd: dir, file: "missing.yaml" }), (error: unknown) => error instanceof InputError && error.oneLine === "missing.yaml: config file not found");
});

test("charts entries match the chart path as the user names it, relative to the config file", () => {
  const config = parseConfig("charts:\n  charts/web/:\n    valuesFiles: [prod.yaml]\n    release: web\n", "/repo/.chartguard.yaml");
  assert.deepEqual(chartSettingsFor(config, "web", "/repo/charts"), { valuesFiles: ["prod.yaml"], release: "web" });
  assert.deepEqual(chartSettingsFor(config, "/repo/charts/web", "/elsewhere"), { valuesFiles: ["prod.yaml"], release: "web" });
  assert.equal(chartSettingsFor(config, "charts/api", "/repo"), undefined);
});

test("render options: config values files come before -f, --release and --kube-version win", () => {
  const config = parseConfig("kubernetesVersion: '1.29'\ncharts:\n  " + path.join(tmp, "web") + ":\n    valuesFiles: [prod.yaml]\n    release: web\n", path.join(tmp, ".chartguard.yaml"));
  const chart = path.join(tmp, "web");
  assert.deepEqual(chartOptionsWithConfig({ valuesFiles: ["mine.yaml"] }, config, chart), {
    valuesFiles: [path.join(tmp, "prod.yaml"), "mine.yaml"],
    kubeVersion: "1.29",
    release: "web",
  });
  assert.deepEqual(chartOptionsWithConfig({ release: "x", kubeVersion: "1.31" }, config, chart), {
    valuesFiles: [path.join(tmp, "prod.yaml")],
    kubeVersion: "1.31",
    release: "x",
  });
  assert.deepEqual(chartOptionsWithConfig({}, config, path.join(tmp, "other")), { valuesFiles: [], kubeVersion: "1.29" });
});

test("analysis settings: defaults, then the config, then explicit settings; volatile keys add up", () => {
  const config = parseConfig('kubernetesVersion: v1.27.4\nargoRolloutsVersion: "1.8.1"\nvolatileLabelKeys: [a]\n', "/r/.chartguard.yaml");
  const settings = settingsWithConfig(DEFAULT_SETTINGS, config, { extraVolatileKeys: new Set(["b"]) });
  assert.equal(settings.kubeVersion, "1.27");
  assert.equal(settings.argoRolloutsVersion, "1.8");
  assert.equal(settingsWithConfig(DEFAULT_SETTINGS, undefined, undefined).argoRolloutsVersion, undefined, "unknown unless configured");
  assert.deepEqual([...settings.extraVolatileKeys], ["a", "b"]);
  assert.equal(settingsWithConfig(DEFAULT_SETTINGS, config, { kubeVersion: "1.33" }).kubeVersion, "1.33");
  assert.equal(settingsWithConfig(DEFAULT_SETTINGS, undefined, undefined).kubeVersion, DEFAULT_SETTINGS.kubeVersion);
});

test("the README's configuration example is a valid config", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(example, "README has a yaml example under ## Configuration");
  const config = parseConfig(example, "/repo/.chartguard.yaml");
  assert.deepEqual(Object.keys(config).filter((k) => k !== "file" && k !== "baseDir").sort(), [
    "allowedOverlaps", "argoRolloutsVersion", "charts", "ignoreProbeCauses", "kubernetesVersion", "rules", "volatileLabelKeys",
  ]);
});
