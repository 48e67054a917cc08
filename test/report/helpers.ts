/**
 * Shared by the report tests: results built by the real core from the rules' own
 * documentation examples, a throw-away "repository" to locate files in, Microsoft's SARIF
 * validator, and a small XML well-formedness checker.
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkDocuments } from "../../src/analyze/check.ts";
import type { Finding, Severity } from "../../src/analyze/finding.ts";
import type { RuleMeta } from "../../src/analyze/rule.ts";
import type { SuppressedFinding, Suppression } from "../../src/analyze/suppress.ts";
import { upgradeDocuments } from "../../src/analyze/upgrade/index.ts";
import type { Impact } from "../../src/analyze/upgrade/impact.ts";
import { isMissing, readRuleExample, type RuleExample } from "../../src/load/rule-examples.ts";
import { parseYamlStream } from "../../src/load/yaml.ts";
import type { InputFailure } from "../../src/errors.ts";
import type { ModelNote, ObjectRef } from "../../src/model/object.ts";
import { CHECK_RULES, UPGRADE_RULES } from "../../src/analyze/rules/index.ts";

export interface TestResult {
  findings: Finding[];
  notes: ModelNote[];
  impact?: Impact;
  summary?: { error: number; warning: number; info: number; suppressed: number };
  suppressed?: SuppressedFinding[];
  checked?: ObjectRef[];
  failed?: InputFailure[];
  absent?: Finding[];
}

export const checkRules = (): RuleMeta[] => CHECK_RULES.map((r) => r.meta);
export const upgradeRules = (): RuleMeta[] => UPGRADE_RULES.map((r) => r.meta);

/** A rule's examples from docs/rules/<id>/; a test that needs them fails when they are missing. */
export function ruleExample(id: string): RuleExample {
  const example = readRuleExample(id);
  if (isMissing(example)) throw new Error(`examples of ${id} ${example.missing}`);
  return example;
}

/** A temporary folder with a `.git` marker: the repository root that reports make paths relative to. */
export function tempRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), "chartguard-report-"));
  mkdirSync(path.join(root, ".git"));
  return root;
}

/** Every check rule's bad example as its own manifest file `<dir>/<rule>.yaml` (written when `root` is given). */
export function checkExamplesResult(root?: string, dir = "manifests"): TestResult {
  const findings: Finding[] = [];
  const notes: ModelNote[] = [];
  for (const rule of checkRules()) {
    const file = `${dir}/${rule.id}.yaml`;
    const { bad } = ruleExample(rule.id);
    if (root) {
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, file), bad);
    }
    const result = checkDocuments(parseYamlStream(bad, root ? path.join(root, file) : file), { namespace: "default" });
    findings.push(...result.findings);
    notes.push(...result.notes);
  }
  return { findings, notes };
}

/** Every upgrade rule's bad example, upgraded from its `upgradeFrom`, merged into one result. */
export function upgradeExamplesResult(root?: string, dir = "release"): TestResult {
  const impact: Impact = { rolled: [], created: [], deleted: [], replaced: [], kept: [] };
  const findings: Finding[] = [];
  const notes: ModelNote[] = [];
  for (const rule of upgradeRules()) {
    const from = `${dir}/${rule.id}.from.yaml`;
    const to = `${dir}/${rule.id}.yaml`;
    const { upgradeFrom, bad } = ruleExample(rule.id);
    if (root) {
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, from), upgradeFrom!);
      writeFileSync(path.join(root, to), bad);
    }
    const at = (file: string) => (root ? path.join(root, file) : file);
    const result = upgradeDocuments(parseYamlStream(upgradeFrom!, at(from)), parseYamlStream(bad, at(to)), { namespace: "default" });
    findings.push(...result.findings);
    notes.push(...result.notes);
    for (const key of Object.keys(impact) as (keyof Impact)[]) (impact[key] as unknown[]).push(...result.impact[key]);
  }
  return { findings, notes, impact };
}

const WEB: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };
const MIGRATE: ObjectRef = { apiVersion: "batch/v1", kind: "Job", namespace: "default", name: "web-migrate" };
const SERVICE: ObjectRef = { apiVersion: "v1", kind: "Service", namespace: "default", name: "web" };
const SETTINGS: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings" };

/** A finding with short texts, for tests that compare whole reports. */
export function shortFinding(rule: string, severity: Severity, object: ObjectRef, path: string, line: number, more: Partial<Finding> = {}): Finding {
  return { rule, severity, messageId: "test", data: {}, message: `${rule} on ${object.name}`, object, path, location: { file: "web.yaml", line }, related: [], evidence: {}, remedy: { text: `fix ${rule}` }, ...more };
}

/**
 * A chart's check result as the terminal shows it: findings in two templates (given out of
 * order, one without its template line) and one in a manifest, short messages, one with a
 * detail, a remedy of its own and migration commands, and a note.
 */
export function chartResult(): TestResult & Required<Pick<TestResult, "summary">> {
  const chart = (template: string, line: number, templateLine?: number) => ({ file: "charts/web", rendered: true as const, line, template, ...(templateLine === undefined ? {} : { templateLine }) });
  const message = (rule: string, messageId: string, text: string, more: Partial<Finding> = {}) => ({ messageId, message: text, remedy: { text: `fix ${rule}` }, ...more });
  const findings = [
    shortFinding("volatile-pod-labels", "warning", WEB, "spec.template.metadata.labels", 40, {
      ...message("volatile-pod-labels", "restarts", "pod template carries helm.sh/chart and app.kubernetes.io/version (change with every chart version)"),
      location: chart("charts/web/templates/deployment.yaml", 40, 18),
    }),
    shortFinding("volatile-selector", "error", WEB, "spec.selector.matchLabels", 30, {
      ...message("volatile-selector", "immutable", "selector carries helm.sh/chart: the next chart version is refused", {
        detail: "spec.selector is immutable: helm upgrade fails with \"field is immutable\"\nonce the chart version changes.",
        remedy: { text: "Select on app.kubernetes.io/name and app.kubernetes.io/instance only.", commands: ["kubectl delete deployment web -n default --cascade=orphan", "helm upgrade web charts/web -n default"] },
      }),
      location: chart("charts/web/templates/deployment.yaml", 30, 9),
    }),
    shortFinding("selector-overlap", "error", SERVICE, "spec.selector", 8, {
      ...message("selector-overlap", "service", "selects the pods of Deployment/web and Job/web-migrate", { remedy: { text: "fix selector-overlap" } }),
      location: chart("charts/web/templates/service.yaml", 8),
    }),
    shortFinding("selector-overlap", "warning", MIGRATE, "spec.template.metadata.labels", 12, message("selector-overlap", "job", "pods also match the selector of Deployment/web")),
  ];
  return {
    findings,
    notes: [{ file: "charts/web/values.yaml", line: 3, message: "a note on the values" }],
    summary: { error: 2, warning: 2, info: 0, suppressed: 0 },
  };
}

/**
 * A check result of `web.yaml` (four objects) as `--show-suppressed` gives it: one finding
 * left, and one suppressed finding of each kind of suppression, with short texts.
 */
export function suppressedResult(): TestResult & Required<Pick<TestResult, "summary" | "suppressed" | "checked">> {
  const suppressed = (finding: Finding, suppression: Suppression): SuppressedFinding => ({ ...finding, suppression });
  return {
    findings: [shortFinding("volatile-pod-labels", "warning", WEB, "spec.template.metadata.labels.helm.sh/chart", 15)],
    notes: [],
    summary: { error: 0, warning: 1, info: 0, suppressed: 4 },
    suppressed: [
      suppressed(shortFinding("volatile-selector", "error", WEB, "spec.selector.matchLabels.helm.sh/chart", 10), { by: "comment", reason: "fixed in 2.0", file: "web.yaml", line: 9 }),
      suppressed(shortFinding("volatile-pod-labels", "error", MIGRATE, "spec.template.metadata.labels.helm.sh/chart", 29), { by: "annotation", file: "web.yaml", line: 22 }),
      suppressed(shortFinding("selector-overlap", "error", SERVICE, "spec.selector", 39), { by: "allowed-overlap", reason: "the job may get traffic", file: ".chartguard.yaml" }),
      suppressed(shortFinding("selector-overlap", "warning", WEB, "spec.selector", 6), { by: "probe-cause", reason: "ignoreProbeCauses: selector-overlap accepts cause name" }),
    ],
    checked: [WEB, MIGRATE, SERVICE, SETTINGS],
  };
}

// ---------------------------------------------------------------------------------------
// Microsoft's SARIF validator (npm @microsoft/sarif-multitool-linux, a self-contained .NET binary)

const MULTITOOL = fileURLToPath(new URL("../../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool", import.meta.url));

export interface ValidatorIssue {
  file: string;
  line: number;
  level: "error" | "warning" | "note";
  rule: string;
  message: string;
}

export function validatorAvailable(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return `the SARIF multitool package ships linux x64 only (this is ${process.platform} ${process.arch})`;
  if (!existsSync(MULTITOOL)) return `${MULTITOOL} is missing: run npm ci`;
  return undefined;
}

/**
 * Runs `Sarif.Multitool validate --rule-kind "Gh;Sarif"` (the JSON schema, the SARIF
 * rules and GitHub code scanning's ingestion rules) on the files, and returns every issue
 * it prints. ICU is not needed: .NET runs in invariant globalization mode.
 */
export function validateSarif(files: readonly string[]): ValidatorIssue[] {
  try {
    accessSync(MULTITOOL, constants.X_OK);
  } catch {
    // The package's postinstall (`chmod u+x`) did not run, e.g. with --ignore-scripts: do what it does.
    chmodSync(MULTITOOL, 0o755);
  }
  const run = spawnSync(MULTITOOL, ["validate", "--rule-kind", "Gh;Sarif", ...files], {
    encoding: "utf8",
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
    timeout: 180_000,
  });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status !== 0 || !output.includes("Analysis completed successfully")) {
    throw new Error(`the SARIF validator failed (status ${run.status}, ${run.error?.message ?? "no spawn error"}):\n${output}`);
  }
  const scanned = /Done\. (\d+) files? scanned/.exec(output);
  if (!scanned || Number(scanned[1]) !== files.length) throw new Error(`the SARIF validator did not scan all ${files.length} files:\n${output}`);
  const issues: ValidatorIssue[] = [];
  for (const line of output.split("\n")) {
    const match = /^(.*)\((\d+),\d+\): (error|warning|note) (\w+): (.*)$/.exec(line.trim());
    if (match) issues.push({ file: match[1]!, line: Number(match[2]), level: match[3] as ValidatorIssue["level"], rule: match[4]!, message: match[5]! });
  }
  return issues;
}

// ---------------------------------------------------------------------------------------
// XML well-formedness (enough for JUnit: elements, attributes, text, entities, one root)

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function decode(text: string, where: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "<") throw new Error(`raw "<" in ${where}`);
    if (ch !== "&") {
      out += ch;
      continue;
    }
    ENTITY.lastIndex = i;
    const m = ENTITY.exec(text);
    if (!m) throw new Error(`bad entity at ${JSON.stringify(text.slice(i, i + 12))} in ${where}`);
    const entity = m[0];
    out += ({ "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" } as Record<string, string>)[entity] ??
      String.fromCodePoint(entity.startsWith("&#x") ? parseInt(entity.slice(3, -1), 16) : Number(entity.slice(2, -1)));
    i += entity.length - 1;
  }
  return out;
}

/** Parses a document or throws on the first well-formedness error. */
export function parseXml(xml: string): XmlElement {
  if (/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) throw new Error("a character XML 1.0 does not allow");
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const NAME = "[A-Za-z_][\\w.-]*";
  const open = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
  const close = new RegExp(`^</(${NAME})\\s*>`);
  while (rest.length > 0) {
    if (rest.startsWith("</")) {
      const m = close.exec(rest);
      if (!m) throw new Error(`bad closing tag at ${JSON.stringify(rest.slice(0, 40))}`);
      const top = stack.pop();
      if (!top || top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top?.name}>`);
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith("<")) {
      const m = open.exec(rest);
      if (!m) throw new Error(`bad tag at ${JSON.stringify(rest.slice(0, 60))}`);
      const attributes: Record<string, string> = {};
      for (const a of m[2]!.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, "g"))) {
        if (a[1]! in attributes) throw new Error(`duplicate attribute ${a[1]}`);
        attributes[a[1]!] = decode(a[2]!, `attribute ${a[1]}`);
      }
      const element: XmlElement = { name: m[1]!, attributes, children: [], text: "" };
      if (stack.length === 0) {
        if (root) throw new Error("more than one root element");
        root = element;
      } else stack.at(-1)!.children.push(element);
      if (m[3] !== "/") stack.push(element);
      rest = rest.slice(m[0].length);
    } else {
      const end = rest.indexOf("<");
      const raw = end < 0 ? rest : rest.slice(0, end);
      const text = decode(raw, "text");
      if (stack.length === 0) {
        if (text.trim() !== "") throw new Error("text outside the root element");
      } else stack.at(-1)!.text += text;
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new Error("no root element");
  return root;
}

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
// By URL, so the CLI also runs from folders outside the project (where `--import tsx` would not resolve).
const TSX = import.meta.resolve("tsx");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, run from `cwd` (a temporary repository), without colour unless asked. */
export function runCliIn(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const result = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    input: "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", GITHUB_STEP_SUMMARY: "", ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}
