/**
 * `.chartguard.yaml`: which rules run and how loud, what is accepted on purpose, and the
 * defaults a team would otherwise repeat on every command line.
 *
 * Found from the working directory upwards (or named with `--config`), parsed with the
 * `yaml` package so every mistake is reported with its file and line, and validated
 * strictly against CONFIG_SHAPE: an unknown key is an error, never silently ignored,
 * because a misspelt `enabled: false` that does nothing is worse than no config at all.
 * CONFIG_SHAPE is also what src/config/schema.json is generated from (schema.ts), so the
 * published JSON Schema and this validator cannot drift apart.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Cause, Severity } from "../analyze/finding.ts";
import type { SuppressionConfig } from "../analyze/suppress.ts";
import { CHECK_RULES, UPGRADE_RULES } from "../analyze/rules/index.ts";
import { InputError } from "../errors.ts";
import { isReallyInside, repositoryRoot } from "../load/paths.ts";
import { labelKeyProblems, labelValueProblems } from "../model/label-syntax.ts";
import { RELEASE_PATTERN } from "../render/request.ts";

/** File names searched for, in each folder from the working directory up to the root. */
export const CONFIG_FILE_NAMES = [".chartguard.yaml", ".chartguard.yml"] as const;

export interface ChartSettings {
  /** Values files applied before any `-f` on the command line (paths relative to the config file). */
  valuesFiles?: string[];
  /** Release name used to render the chart when `--release` is not given. */
  release?: string;
}

/** The configuration as written in `.chartguard.yaml` (every key optional). */
export interface ChartguardConfig extends SuppressionConfig {
  /** Folder that relative paths in `charts` and `valuesFiles` are resolved from (the config file's folder). */
  baseDir?: string;
  volatileLabelKeys?: string[];
  kubernetesVersion?: string;
  argoRolloutsVersion?: string;
  charts?: Record<string, ChartSettings>;
}

// ---------------------------------------------------------------------------
// The shape: one description of every key, for the validator and for schema.json

export const SEVERITY_VALUES: readonly Severity[] = ["error", "warning", "info"];

/** Every Cause, checked by the compiler to be complete. */
const CAUSE_TABLE: Record<Cause, true> = { name: true, "chart-version": true, "app-version": true, "image-tag": true, values: true, random: true };
export const CAUSE_VALUES = Object.keys(CAUSE_TABLE) as Cause[];

export const VERSION_PATTERN = "^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$";
export const OBJECT_PATTERN = "^[A-Za-z][A-Za-z0-9]*/[^/\\s]+$";

export interface ObjectShape {
  type: "object";
  description: string;
  properties: Record<string, Shape>;
  /** Keys that must be present. */
  required?: readonly string[];
}

export type Shape =
  | ObjectShape
  /** One of several objects, told apart by the one key each requires (`required[0]`). */
  | { type: "oneOf"; description: string; variants: readonly (ObjectShape & { required: readonly [string] })[] }
  | { type: "map"; description: string; keys: "rule" | "path"; values: Shape }
  | { type: "array"; description: string; items: Shape }
  | { type: "string"; description: string; pattern?: string; maxLength?: number; format?: "label-key" | "label-selector" | "repository-path"; examples?: readonly string[] }
  | { type: "enum"; description: string; values: readonly string[] }
  | { type: "boolean"; description: string };

const ruleSettings: Shape = {
  type: "object",
  description: "Settings for one rule.",
  properties: {
    enabled: { type: "boolean", description: "false turns the rule off: its findings are not reported (and not counted as suppressed)." },
    severity: { type: "enum", values: SEVERITY_VALUES, description: "Report every finding of this rule with this severity; --fail-on compares against it." },
  },
};

const REASON: Shape = { type: "string", description: "Why the overlap is intended (shown with --show-suppressed).", examples: ["canary and stable share the Service"] };

export const CONFIG_SHAPE: ObjectShape = {
  type: "object",
  description: "chartguard configuration (.chartguard.yaml), found from the working directory upwards or named with --config.",
  properties: {
    $schema: { type: "string", description: "The JSON Schema of this file, for editors." },
    rules: {
      type: "map",
      keys: "rule",
      description: "Per rule (by id, see `chartguard rules`): turn it off or change its severity.",
      values: ruleSettings,
    },
    volatileLabelKeys: {
      type: "array",
      description: "Label keys whose values change from release to release, besides helm.sh/chart, app.kubernetes.io/version, chart and version (e.g. a build id or git sha label).",
      items: { type: "string", format: "label-key", description: "A label key, e.g. example.com/build-id.", examples: ["example.com/build-id"] },
    },
    allowedOverlaps: {
      type: "array",
      description: "Selector overlaps (rule selector-overlap) that are intended, e.g. a Service spanning a stable and a canary Deployment.",
      items: {
        type: "oneOf",
        description: "One intended overlap: by label, or by object (exactly one of the two).",
        variants: [
          {
            type: "object",
            description: "An overlap accepted by the label the overlapping selector requires.",
            required: ["label"],
            properties: {
              label: {
                type: "string",
                format: "label-selector",
                description: "A label key, or key=value: an overlap is accepted when the overlapping selector requires this label (with this value).",
                examples: ["app.kubernetes.io/part-of", "track=canary"],
              },
              reason: REASON,
            },
          },
          {
            type: "object",
            description: "An overlap accepted by object.",
            required: ["object"],
            properties: {
              object: {
                type: "string",
                pattern: OBJECT_PATTERN,
                description: "Kind/name: an overlap is accepted when it is reported on this object, or when every object it overlaps with is listed.",
                examples: ["Service/web", "Job/web-migrate"],
              },
              namespace: { type: "string", description: "Only the object in this namespace.", examples: ["shop"] },
              reason: REASON,
            },
          },
        ],
      },
    },
    ignoreProbeCauses: {
      type: "map",
      keys: "rule",
      description: "Per rule: findings whose cause (evidence.cause) is one of these are accepted, e.g. volatile-pod-labels: [image-tag].",
      values: {
        type: "array",
        description: "Causes to accept for this rule.",
        items: { type: "enum", values: CAUSE_VALUES, description: "name (recognised by its name), chart-version, app-version, image-tag, values (user values), random (differs on every render)." },
      },
    },
    kubernetesVersion: {
      type: "string",
      pattern: VERSION_PATTERN,
      description: "Target Kubernetes version (e.g. \"1.30\"; quote it): charts are rendered for it and version-dependent rules follow it. --kube-version wins.",
      examples: ["1.30"],
    },
    argoRolloutsVersion: {
      type: "string",
      pattern: VERSION_PATTERN,
      description: "Target Argo Rollouts version (e.g. \"1.8\"; quote it): before 1.9 a changed Rollout selector skips the canary, from 1.9 it is refused.",
      examples: ["1.8"],
    },
    charts: {
      type: "map",
      keys: "path",
      description: "Per chart (path relative to this file): defaults for rendering it.",
      values: {
        type: "object",
        description: "Defaults for one chart.",
        properties: {
          valuesFiles: {
            type: "array",
            description: "Values files (relative to this file), applied before any -f given on the command line.",
            items: {
              type: "string",
              format: "repository-path",
              description: "A values file, inside the repository that holds this file (after symlinks).",
              examples: ["charts/web/values-prod.yaml"],
            },
          },
          release: { type: "string", pattern: RELEASE_PATTERN, maxLength: 53, description: "Release name to render with when --release is not given.", examples: ["web"] },
        },
      },
    },
  },
};

export function knownRuleIds(): string[] {
  return [...CHECK_RULES, ...UPGRADE_RULES].map((rule) => rule.meta.id);
}

// ---------------------------------------------------------------------------
// Finding and loading

/** The config file that applies in `cwd`: the nearest `.chartguard.yaml` in it or a folder above. */
export function findConfigFile(cwd: string = process.cwd()): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadConfigOptions {
  /** `--config FILE`: read this file (it must exist); `false` (`--no-config`): no config at all. */
  file?: string | false;
  /** Where the search upwards starts. Default: the working directory. */
  cwd?: string;
}

/** The configuration that applies: the named file, or the one found upwards, or an empty one. */
export function loadConfig(options: LoadConfigOptions = {}): ChartguardConfig {
  if (options.file === false) return {};
  const file = options.file === undefined ? findConfigFile(options.cwd) : path.resolve(options.cwd ?? process.cwd(), options.file);
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? "config file not found" : `cannot read config file: ${(error as Error).message}`, options.file === undefined ? file : options.file);
  }
  return parseConfig(text, options.file === undefined ? file : options.file, path.dirname(file));
}

/**
 * Parses and validates the text of a config file. `file` names it in errors; `baseDir`
 * is where its relative paths point from (default: the file's folder). The paths it names
 * must stay inside the repository that holds `baseDir` (the nearest folder with `.git`,
 * else `baseDir`), symlinks followed: in CI the config comes from the pull request, and a
 * values file's content can reach the report.
 */
export function parseConfig(text: string, file: string, baseDir: string = path.dirname(path.resolve(file))): ChartguardConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.startsWith("\uFEFF") ? text.slice(1) : text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const line = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const firstError = doc.errors[0];
  if (firstError) {
    const message = firstError.message.split("\n")[0] ?? firstError.message;
    throw new InputError(`YAML syntax error in config: ${message}`, file, line(firstError.pos[0]));
  }
  const validator = new Validator(doc, file, line, baseDir);
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return { file, baseDir };
  const value = validator.check(root, CONFIG_SHAPE, "") as Omit<ChartguardConfig, "file" | "baseDir">;
  return { ...value, file, baseDir };
}

// ---------------------------------------------------------------------------
// Validation with positions

class Validator {
  constructor(
    private readonly doc: Document,
    private readonly file: string,
    private readonly lineOf: (offset: number | undefined) => number | undefined,
    /** Where relative paths point from. */
    private readonly baseDir: string,
  ) {}

  private fail(node: Node | null | undefined, message: string): never {
    throw new InputError(message, this.file, this.lineOf(node?.range?.[0]) ?? 1);
  }

  private resolve(node: unknown): Node | null {
    let current = node as Node | null | undefined;
    for (let i = 0; i < 32 && isAlias(current); i++) current = current.resolve(this.doc) as Node | undefined;
    return current ?? null;
  }

  private keysOf(node: Node & { items: unknown[] }, name: string): Set<string> {
    const keys = new Set<string>();
    for (const pair of node.items as { key: unknown }[]) {
      const keyNode = this.resolve(pair.key);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") this.fail(keyNode, `${name}: keys must be plain names`);
      keys.add(String(keyNode.value));
    }
    return keys;
  }

  private keyNode(node: Node & { items: unknown[] }, key: string): Node | null {
    for (const pair of node.items as { key: unknown }[]) {
      const keyNode = this.resolve(pair.key);
      if (isScalar(keyNode) && String(keyNode.value) === key) return keyNode;
    }
    return node;
  }

  private object(node: Node | null, shape: ObjectShape, where: string): Record<string, unknown> {
    const name = placeName(where);
    if (!isMap(node)) this.fail(node, `${name} must be a mapping (key: value), not ${describe(node)}`);
    const out: Record<string, unknown> = {};
    const known = Object.keys(shape.properties);
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) && keyNode.value !== null ? String(keyNode.value) : undefined;
      if (key === undefined) this.fail(keyNode, `${name}: keys must be plain names`);
      const child = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (child === undefined) {
        const hint = closest(key, known);
        this.fail(keyNode, `unknown key "${key}" in ${name}${hint ? ` (did you mean "${hint}"?)` : ""}; known keys: ${known.join(", ")}`);
      }
      setOwn(out, key, this.check(pair.value, child, joinPath(where, key)));
    }
    for (const key of shape.required ?? []) {
      if (!Object.hasOwn(out, key)) this.fail(node, `${name} needs ${key}`);
    }
    return out;
  }

  check(raw: unknown, shape: Shape, where: string): unknown {
    const node = this.resolve(raw);
    const name = placeName(where);
    switch (shape.type) {
      case "object":
        return this.object(node, shape, where);
      case "oneOf":
        return this.oneOf(node, shape, where);
      case "map":
        return this.map(node, shape, where);
      case "array": {
        if (!isSeq(node)) this.fail(node, `${name} must be a list, not ${describe(node)}`);
        return node.items.map((item, i) => this.check(item, shape.items, `${name}[${i}]`));
      }
      case "boolean": {
        if (!isScalar(node) || typeof node.value !== "boolean") this.fail(node, `${name} must be true or false, not ${describe(node)}`);
        return node.value;
      }
      case "enum": {
        if (!isScalar(node) || typeof node.value !== "string" || !shape.values.includes(node.value)) {
          this.fail(node, `${name} must be one of ${shape.values.join(", ")}, not ${describe(node)}`);
        }
        return node.value;
      }
      case "string":
        return this.string(node, shape, name);
    }
  }

  /** A mapping that holds exactly one variant's required key, and no key of another variant. */
  private oneOf(node: Node | null, shape: Shape & { type: "oneOf" }, where: string): Record<string, unknown> {
    const name = placeName(where);
    if (!isMap(node)) this.fail(node, `${name} must be a mapping (key: value), not ${describe(node)}`);
    const keys = this.keysOf(node, name);
    const present = shape.variants.filter((variant) => keys.has(variant.required[0]));
    const choices = shape.variants.map((variant) => variant.required[0]);
    if (present.length !== 1) {
      this.fail(node, `${name} needs exactly one of ${choices.join(", ")}${present.length > 1 ? `, not ${present.map((v) => v.required[0]).join(" and ")}` : ""}`);
    }
    const chosen = present[0]!;
    for (const key of keys) {
      if (Object.hasOwn(chosen.properties, key)) continue;
      const owner = shape.variants.find((variant) => Object.hasOwn(variant.properties, key));
      if (owner) this.fail(this.keyNode(node, key), `${name}: ${key} goes with ${owner.required[0]}, not with ${chosen.required[0]}`);
    }
    return this.object(node, chosen, where);
  }

  /** A mapping from rule ids (which must exist) or chart paths to values of one shape. */
  private map(node: Node | null, shape: Shape & { type: "map" }, where: string): Record<string, unknown> {
    const name = placeName(where);
    if (!isMap(node)) this.fail(node, `${name} must be a mapping (key: value), not ${describe(node)}`);
    const out: Record<string, unknown> = {};
    const rules = shape.keys === "rule" ? knownRuleIds() : [];
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) && keyNode.value !== null ? String(keyNode.value) : undefined;
      if (key === undefined || key === "") this.fail(keyNode, `${name}: keys must be ${shape.keys === "rule" ? "rule ids" : "chart paths"}`);
      if (shape.keys === "rule" && !rules.includes(key)) {
        const hint = closest(key, rules);
        this.fail(keyNode, `unknown rule "${key}" in ${name}${hint ? ` (did you mean "${hint}"?)` : ""}; \`chartguard rules\` lists them`);
      }
      setOwn(out, key, this.check(pair.value, shape.values, joinPath(where, key)));
    }
    return out;
  }

  private string(node: Node | null, shape: Shape & { type: "string" }, name: string): string {
    if (!isScalar(node) || typeof node.value !== "string") {
      const quoteHint = isScalar(node) && typeof node.value === "number" && shape.pattern === VERSION_PATTERN
        ? ` (quote it: YAML reads ${String(node.source ?? node.value)} as the number ${String(node.value)})`
        : "";
      this.fail(node, `${name} must be a string, not ${describe(node)}${quoteHint}`);
    }
    const value = node.value;
    const problem = stringProblem(value, shape) ?? (shape.format === "repository-path" ? outsideRepository(value, this.baseDir) : undefined);
    if (problem) this.fail(node, `${name}: "${value}" ${problem}`);
    return value;
  }
}

/** How messages name a place in the config: its dotted path, or the config itself at the top. */
function placeName(where: string): string {
  return where === "" ? "the config" : where;
}

function stringProblem(value: string, shape: Shape & { type: "string" }): string | undefined {
  if (shape.maxLength !== undefined && value.length > shape.maxLength) return `is longer than ${shape.maxLength} characters`;
  if (shape.pattern !== undefined && !new RegExp(shape.pattern).test(value)) {
    if (shape.pattern === VERSION_PATTERN) return "is not a version like 1.30 or v1.30.2";
    if (shape.pattern === RELEASE_PATTERN) return "is not a valid release name (lowercase letters, digits, - and .)";
    if (shape.pattern === OBJECT_PATTERN) return "is not Kind/name, e.g. Service/web";
    return `does not match ${shape.pattern}`;
  }
  if (shape.format === "label-key") {
    const problems = labelKeyProblems(value);
    if (problems.length > 0) return `is not a valid label key: ${problems[0]}`;
  }
  if (shape.format === "label-selector") {
    const eq = value.indexOf("=");
    const key = eq < 0 ? value : value.slice(0, eq);
    const problems = labelKeyProblems(key);
    if (problems.length > 0) return `is not a label key or key=value: ${problems[0]}`;
    if (eq >= 0) {
      const valueProblems = labelValueProblems(value.slice(eq + 1));
      if (valueProblems.length > 0) return `has an invalid label value: ${valueProblems[0]}`;
    }
  }
  return undefined;
}

/** Why a path from the config may not be used: it leads out of the config's repository. */
function outsideRepository(file: string, baseDir: string): string | undefined {
  const repository = repositoryRoot(baseDir);
  if (isReallyInside(repository, path.resolve(baseDir, file))) return undefined;
  return `is outside the repository that holds this config (${repository}); paths in a config must stay inside it, symlinks followed`;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(node: Node | null): string {
  if (node === null) return "empty";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    if (node.value === null) return "empty";
    if (typeof node.value === "string") return `"${node.value}"`;
    return String(node.value);
  }
  return "this value";
}

function joinPath(where: string, key: string): string {
  if (where === "") return key;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${where}.${key}` : `${where}["${key}"]`;
}

/** The known name nearest to a misspelt one, when it is near enough to be a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

// ---------------------------------------------------------------------------
// Applying the configuration to a run

/** The `charts` entry for a chart path as the user named it (compared as absolute paths). */
export function chartSettingsFor(config: ChartguardConfig, chartPath: string, cwd: string = process.cwd()): ChartSettings | undefined {
  if (!config.charts) return undefined;
  const base = config.baseDir ?? cwd;
  const target = path.resolve(cwd, chartPath).replace(/[\\/]+$/, "");
  for (const [key, settings] of Object.entries(config.charts)) {
    if (path.resolve(base, key).replace(/[\\/]+$/, "") === target) return settings;
  }
  return undefined;
}

/** The values files of a `charts` entry, as paths usable from `cwd`. */
export function chartValuesFiles(config: ChartguardConfig, settings: ChartSettings): string[] {
  const base = config.baseDir ?? process.cwd();
  return (settings.valuesFiles ?? []).map((file) => path.resolve(base, file));
}
