/**
 * What the user pointed chartguard at: rendered manifests (files, directories, stdin)
 * and charts (a directory with Chart.yaml, or a packaged .tgz). A directory is searched
 * for both; a chart's own templates are never read as manifests.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path, { join } from "node:path";
import { InputError } from "../errors.ts";
import { isChartDir } from "./chart.ts";
import { ignoresAbove, IgnoreSet, parsePattern, ruleMatches, type IgnoreRule } from "./gitignore.ts";
import { describeFsError, isDirectory, STDIN } from "./manifests.ts";
import { shardSources, type Shard } from "./shard.ts";

export type Source = { kind: "manifest"; path: string } | { kind: "chart"; path: string };

export interface DiscoverOptions {
  /**
   * `--exclude GLOB` (repeatable): gitignore-style patterns for what a directory walk (and
   * the inputs themselves) leave out, relative to each input directory or to the working
   * directory: `legacy/**`, `*.generated.yaml`, `charts/old/`.
   */
  exclude?: readonly string[];
  /** Check only this part of the sources, for a CI matrix. */
  shard?: Shard;
  /** Read .gitignore files (default true). */
  gitignore?: boolean;
}

export const MANIFEST_FILE = /\.(ya?ml|json)$/i;
export const CHART_ARCHIVE = /\.tgz$/i;

export async function discoverSources(input: string, options: DiscoverOptions = {}): Promise<Source[]> {
  if (input === STDIN) return [{ kind: "manifest", path: STDIN }];
  const patterns = options.exclude ?? [];
  if (isExcluded(excludeRules(path.dirname(path.resolve(input)), patterns), path.resolve(input), undefined)) return [];
  const excluded = excludeRules(input, patterns);
  if (CHART_ARCHIVE.test(input)) return [{ kind: "chart", path: input }];
  if (!(await isDirectory(input))) return [{ kind: "manifest", path: input }];
  if (isChartDir(input)) return [{ kind: "chart", path: input }];
  refuseChartWithoutChartYaml(input);
  const ignores = options.gitignore === false ? new IgnoreSet() : ignoresAbove(input);
  return walk(input, { ignores, excluded, gitignore: options.gitignore !== false });
}

/** templates/ beside values.yaml is a chart whose Chart.yaml is missing: its templates are not manifests. */
function refuseChartWithoutChartYaml(dir: string): void {
  if (existsSync(join(dir, "values.yaml")) && existsSync(join(dir, "templates"))) {
    throw new InputError("looks like a Helm chart (templates/ and values.yaml) but has no Chart.yaml", dir);
  }
}

interface WalkState {
  /** .gitignore rules in force above the directory being read. */
  ignores: IgnoreSet;
  excluded: readonly IgnoreRule[];
  gitignore: boolean;
}

async function walk(dir: string, state: WalkState): Promise<Source[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new InputError(`cannot read directory: ${describeFsError(error)}`, dir);
  });
  const ignores = state.gitignore ? state.ignores.enter(dir) : state.ignores;
  const sources: Source[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    const isDir = entry.isDirectory();
    if (!isDir && !(entry.isFile() && MANIFEST_FILE.test(entry.name))) continue;
    if (isExcluded(state.excluded, resolvePath(path), isDir) || ignores.ignores(resolvePath(path), isDir)) continue;
    if (isDir) {
      if (!isChartDir(path)) refuseChartWithoutChartYaml(path);
      if (isChartDir(path)) sources.push({ kind: "chart", path });
      else for (const source of await walk(path, { ...state, ignores })) sources.push(source);
    } else {
      sources.push({ kind: "manifest", path });
    }
  }
  return sources;
}

function resolvePath(p: string): string {
  return path.resolve(p);
}

/** `--exclude` patterns, anchored both at `base` (the input directory) and at the working directory. */
function excludeRules(base: string, patterns: readonly string[]): IgnoreRule[] {
  const bases = [...new Set([path.resolve(base), process.cwd()])];
  const rules: IgnoreRule[] = [];
  for (const pattern of patterns) {
    // `./x`, `../x` and existing absolute paths name one place on disk.
    if (/^\.\.?\//.test(pattern) || (path.isAbsolute(pattern) && existsSync(pattern))) {
      const absolute = path.resolve(pattern);
      const root = path.parse(absolute).root;
      const rule = parsePattern(`/${path.relative(root, absolute).split(path.sep).join("/")}${pattern.endsWith("/") ? "/" : ""}`, root);
      if (rule) rules.push(rule);
      continue;
    }
    for (const base of bases) {
      const rule = parsePattern(pattern, base);
      if (rule && !rule.negate) rules.push(rule);
    }
  }
  return rules;
}

/** `isDir` undefined: an input named on the command line, matched either way. */
function isExcluded(rules: readonly IgnoreRule[], absolute: string, isDir: boolean | undefined): boolean {
  return rules.some((rule) => (isDir === undefined ? ruleMatches(rule, absolute, true) || ruleMatches(rule, absolute, false) : ruleMatches(rule, absolute, isDir)));
}

export async function discoverAll(inputs: readonly string[], options: DiscoverOptions = {}): Promise<Source[]> {
  let sources: Source[] = [];
  for (const input of inputs) for (const source of await discoverSources(input, options)) sources.push(source);
  if (sources.filter((s) => s.path === STDIN).length > 1) throw new InputError("stdin (-) can be read only once");
  // The same file or chart named twice (`check . charts/web`) is checked once.
  const seen = new Set<string>();
  sources = sources.filter((source) => {
    const key = source.path === STDIN ? STDIN : path.resolve(source.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return options.shard === undefined ? sources : shardSources(sources, options.shard);
}
