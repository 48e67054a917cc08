/**
 * The Helm adapter: every process, file and archive operation needed to turn a chart into
 * rendered manifests lives here, so that the rest of chartguard never spawns anything.
 *
 * - locateHelm: `--helm PATH`, else `$HELM_BIN`, else `helm` on PATH; Helm 3.8+ only.
 * - helmTemplate: `helm template` in an isolated environment (fresh HELM_* homes, no
 *   plugins, no kubeconfig, no post-renderer) with a timeout, and Helm's error mapped
 *   to the template file and line it names.
 * - chart metadata and dependencies (Chart.yaml / requirements.yaml, charts/).
 * - copyChart and extractChartArchive: the temp copies that probes perturb, made without
 *   ever following a path out of the chart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants as fsConstants, type Dirent, existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { access, copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { InputError } from "../errors.ts";

// ============================================================================================
// Locating the binary
// ============================================================================================

export interface Helm {
  /** Absolute path of the binary. */
  path: string;
  /** As `helm version --short` prints it, e.g. `v3.17.2+gcc0bbbd`. */
  version: string;
  major: number;
}

/** The oldest Helm chartguard supports; older ones lack flags and chart features it relies on. */
const MINIMUM_VERSION = { major: 3, minor: 8 } as const;
const INSTALL_HINT = "install Helm 3.8+ or pass --helm PATH / set HELM_BIN";
const VERSION_TIMEOUT_MS = 30_000;
const isWindows = process.platform === "win32";

/**
 * Finds the helm binary to use and checks its version. `env` is where `HELM_BIN` and
 * `PATH` are read from (the process environment unless a test says otherwise).
 */
export async function locateHelm(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<Helm> {
  const binary = await findHelmBinary(explicit, env);
  const version = await readHelmVersion(binary);
  if (isOlderThanMinimum(version)) {
    throw new InputError(
      `helm at ${binary} is ${version.text}, but chartguard needs Helm ${MINIMUM_VERSION.major}.${MINIMUM_VERSION.minor} or newer: ${INSTALL_HINT}`,
    );
  }
  return { path: binary, version: version.text, major: version.major };
}

async function findHelmBinary(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (explicit !== undefined && explicit !== "") return resolveCommand(explicit, env, "--helm");
  const fromEnvironment = env["HELM_BIN"];
  if (fromEnvironment !== undefined && fromEnvironment !== "") return resolveCommand(fromEnvironment, env, "HELM_BIN");
  const onPath = await searchPath("helm", env);
  if (onPath === undefined) throw new InputError(`helm not found: ${INSTALL_HINT}`);
  return onPath;
}

/** A command given by the user: a path when it has a separator, else a name to look up on PATH. */
async function resolveCommand(command: string, env: NodeJS.ProcessEnv, origin: string): Promise<string> {
  const looksLikePath = command.includes("/") || (isWindows && command.includes("\\"));
  const found = looksLikePath ? ((await isExecutableFile(command)) ? path.resolve(command) : undefined) : await searchPath(command, env);
  if (found === undefined) throw new InputError(`helm not found: ${command} (from ${origin}) is not an executable file; ${INSTALL_HINT}`);
  return found;
}

async function searchPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const directories = (env["PATH"] ?? "").split(path.delimiter).filter((dir) => dir !== "");
  const extensions = isWindows ? ["", ...(env["PATHEXT"] ?? ".EXE").split(";")] : [""];
  for (const directory of directories) {
    for (const extension of extensions) {
      const candidate = path.resolve(directory, name + extension);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface Version {
  /** The version as Helm printed it, e.g. `v3.17.2+gcc0bbbd`. */
  text: string;
  major: number;
  minor: number;
}

async function readHelmVersion(binary: string): Promise<Version> {
  const run = await withIsolatedHelmEnvironment((env) => runProcess(binary, ["version", "--short"], env, { timeoutMs: VERSION_TIMEOUT_MS }))
    .catch((error: unknown) => {
      throw new InputError(`could not run helm at ${binary}: ${errorMessage(error)}; ${INSTALL_HINT}`);
    });
  // Helm 2 prints its client version and then fails to reach Tiller: the version still says enough.
  const match = /\bv?(\d+)\.(\d+)\.\d+\S*/.exec(run.stdout.toString("utf8"));
  if (match !== null) return { text: match[0], major: Number(match[1]), minor: Number(match[2]) };
  const reason = run.timedOut ? "timed out" : firstLine(run.stderr.toString("utf8")) || `exit code ${run.code}`;
  throw new InputError(`could not read the version of helm at ${binary} (${reason}); ${INSTALL_HINT}`);
}

function isOlderThanMinimum(version: Version): boolean {
  if (version.major !== MINIMUM_VERSION.major) return version.major < MINIMUM_VERSION.major;
  return version.minor < MINIMUM_VERSION.minor;
}

// ============================================================================================
// Running helm in isolation
// ============================================================================================

/**
 * Runs `work` with an environment in which Helm sees only a fresh, empty home: no user
 * repositories, registry logins, plugins (which could add a post-renderer or downloader)
 * or cluster. The directory is removed afterwards, whatever happens.
 */
async function withIsolatedHelmEnvironment<T>(work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const home = await mkdtemp(path.join(tmpdir(), "chartguard-helm-"));
  try {
    await mkdir(path.join(home, "plugins"));
    return await work(isolatedEnvironment(home));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function isolatedEnvironment(home: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith("HELM_") && name !== "KUBECONFIG");
  const inHome = (...segments: string[]) => path.join(home, ...segments);
  return {
    ...Object.fromEntries(inherited),
    // HOME and XDG_* too: they are where Helm (and Go) look for anything HELM_* does not cover.
    HOME: home,
    XDG_CONFIG_HOME: inHome("xdg-config"),
    XDG_CACHE_HOME: inHome("xdg-cache"),
    XDG_DATA_HOME: inHome("xdg-data"),
    HELM_CONFIG_HOME: inHome("config"),
    HELM_CACHE_HOME: inHome("cache"),
    HELM_DATA_HOME: inHome("data"),
    HELM_PLUGINS: inHome("plugins"),
    HELM_REPOSITORY_CONFIG: inHome("config", "repositories.yaml"),
    HELM_REPOSITORY_CACHE: inHome("cache", "repository"),
    HELM_REGISTRY_CONFIG: inHome("config", "registry", "config.json"),
    // Helm would read ~/.kube/config for `lookup` and capabilities; a missing file means "no cluster".
    KUBECONFIG: inHome("no-kubeconfig"),
  };
}

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Spawns a binary (no shell) and collects its output as Buffers, so outputs of hundreds of
 * megabytes cost one copy. On timeout or abort the whole process group is killed: a wrapper
 * script's children would otherwise keep the pipes, and this promise, open.
 */
function runProcess(binary: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: !isWindows, windowsHide: true });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    // Once stopped, a member of the process group that escaped the kill (or a daemon the
    // binary started) may still hold the pipes: stop waiting for them when the binary exits.
    let stopped = false;
    const releasePipes = () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const stop = () => {
      stopped = true;
      killProcessGroup(child);
      if (child.exitCode !== null || child.signalCode !== null) releasePipes();
    };
    let timedOut = false;
    const timer = Number.isFinite(options.timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs)
      : undefined;
    signal?.addEventListener("abort", stop, { once: true });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
      outcome();
    };
    child.once("error", (error) => finish(() => reject(error)));
    child.once("exit", () => {
      if (stopped) releasePipes();
    });
    child.once("close", (code, exitSignal) =>
      finish(() => {
        if (signal?.aborted === true) reject(signal.reason);
        else resolve({ code, signal: exitSignal, stdout: stdout(), stderr: stderr(), timedOut });
      }),
    );
  });
}

function collect(stream: NodeJS.ReadableStream | null): () => Buffer {
  const chunks: Buffer[] = [];
  stream?.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}

/** The child was spawned detached, so it leads its own process group: kill all of it. */
function killProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (isWindows) child.kill("SIGKILL");
    else process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: every member of the group has exited already.
  }
}

// ============================================================================================
// helm template
// ============================================================================================

export interface RenderRequest {
  /** Chart directory. */
  chart: string;
  release: string;
  namespace: string;
  valuesFiles: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  setJson: string[];
  kubeVersion?: string;
  apiVersions: string[];
}

export interface RenderOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The chart directory to name in errors, when `chart` is a temporary copy of it: errors
   * then point at the user's template files, not at the copy's.
   */
  reportAs?: string;
}

/** Renders a chart with `helm template` and returns the manifest text Helm printed. */
export async function helmTemplate(helm: Helm, request: RenderRequest, options: RenderOptions): Promise<string> {
  const reportAs = options.reportAs ?? request.chart;
  const run = await withIsolatedHelmEnvironment((env) => runProcess(helm.path, templateArguments(request), env, options)).catch(
    (error: unknown) => {
      if (options.signal?.aborted === true) throw error;
      throw new InputError(`could not run helm at ${helm.path}: ${errorMessage(error)}`, reportAs);
    },
  );
  const stderr = run.stderr.toString("utf8");
  if (run.timedOut) {
    throw new InputError(`helm template timed out after ${seconds(options.timeoutMs)} s (--helm-timeout)`, reportAs, undefined, stderr);
  }
  if (run.signal !== null) {
    throw new InputError(`helm (${helm.path}) was killed by ${run.signal} while rendering the chart`, reportAs, undefined, stderr);
  }
  if (run.code !== 0) throw helmTemplateFailure(stderr, run.code, request.chart, reportAs);
  return run.stdout.toString("utf8");
}

/**
 * Flags use the `--flag=value` form so that a value starting with `-` stays a value, and the
 * positional arguments follow `--` for the same reason. Never `--post-renderer`: it runs
 * arbitrary programs, and its output would not be the chart's.
 */
function templateArguments(request: RenderRequest): string[] {
  const repeated = (flag: string, values: readonly string[]) => values.map((value) => `--${flag}=${value}`);
  return [
    "template",
    ...(request.namespace === "" ? [] : [`--namespace=${request.namespace}`]),
    "--include-crds",
    ...repeated("values", request.valuesFiles),
    ...repeated("set", request.set),
    ...repeated("set-string", request.setString),
    ...repeated("set-file", request.setFile),
    ...repeated("set-json", request.setJson),
    ...(request.kubeVersion === undefined ? [] : [`--kube-version=${request.kubeVersion}`]),
    ...repeated("api-versions", request.apiVersions),
    "--",
    request.release,
    request.chart,
  ];
}

function helmTemplateFailure(stderr: string, code: number | null, chartDir: string, reportAs: string): InputError {
  const message = helmErrorText(stderr) ?? (firstLine(stderr) || `helm template failed with exit code ${code}`);
  const location = templateLocation(message);
  if (location === undefined) return new InputError(message, reportAs, undefined, stderr);
  return new InputError(message, templateFile(location.template, chartDir, reportAs), location.line, stderr);
}

/**
 * Helm's error as one line: the `Error: ` line and the lines that continue it. Helm 3 puts
 * it on one line; Helm 4 breaks a template error over several, and its first line holds
 * only the location.
 */
function helmErrorText(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith("Error: "));
  if (start === -1) return undefined;
  const block = [lines[start]!.slice("Error: ".length)];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "" || line.startsWith("Use --debug flag")) break;
    block.push(line);
  }
  return block.map((line) => line.trim()).join(" ");
}

interface TemplateLocation {
  /** As Helm names it: `<chart name>/templates/x.yaml`, or `<chart>/charts/<sub>/templates/...`. */
  template: string;
  line?: number;
}

/**
 * The template (and line) an error is about. A template error names a chain of locations,
 * from the file that was rendered down to the helper that failed: the last is the cause.
 * For YAML errors the line is Helm's count within that template's rendered output.
 */
function templateLocation(message: string): TemplateLocation | undefined {
  const yamlError = /\bYAML parse error on ([^\s:]+):(?:.*?\byaml: line (\d+))?/.exec(message);
  if (yamlError !== null) {
    const line = yamlError[2] === undefined ? {} : { line: Number(yamlError[2]) };
    return { template: yamlError[1]!, ...line };
  }
  // `template: c/templates/x.yaml:12:5:`, `at (c/templates/x.yaml:7)`, Helm 4's `c/templates/x.yaml:12:5`
  const locations = [...message.matchAll(/(?:^|\s|\()([^\s():"<>]+\/[^\s():"<>]+):(\d+)(?::\d+)?/g)];
  const innermost = locations.at(-1);
  if (innermost === undefined) return undefined;
  return { template: innermost[1]!, line: Number(innermost[2]) };
}

/** Helm names a template by chart name, not directory: swap the first segment for the directory. */
function templateFile(template: string, chartDir: string, reportAs: string): string {
  const withinChart = template.split("/").slice(1).join("/");
  return existsSync(path.join(chartDir, withinChart)) ? path.join(reportAs, withinChart) : template;
}

// ============================================================================================
// Chart.yaml
// ============================================================================================

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  alias?: string;
}

export interface ChartMeta {
  apiVersion?: string;
  name: string;
  version: string;
  appVersion?: string;
  type?: string;
  /** From requirements.yaml when the chart has one (Helm lets it override Chart.yaml's). */
  dependencies: ChartDependency[];
}

const CHART_FILE = "Chart.yaml";
const REQUIREMENTS_FILE = "requirements.yaml";

export function isChartDir(dir: string): boolean {
  try {
    return statSync(path.join(dir, CHART_FILE)).isFile();
  } catch {
    return false;
  }
}

export function readChartMeta(chartDir: string): ChartMeta {
  const file = path.join(chartDir, CHART_FILE);
  if (!existsSync(file)) throw new InputError(`not a chart: ${chartDir} has no ${CHART_FILE}`, chartDir);
  const chart = readYamlFile(file);
  const field = (key: string) => scalarText(chart.document.get(key, true));
  const name = field("name");
  const version = field("version");
  if (name === undefined || name === "") throw new InputError(`${CHART_FILE} has no name`, file);
  if (version === undefined || version === "") throw new InputError(`${CHART_FILE} has no version`, file);
  return {
    ...optionalString("apiVersion", field("apiVersion")),
    name,
    version,
    ...optionalString("appVersion", field("appVersion")),
    ...optionalString("type", field("type")),
    dependencies: declaredDependencies(chartDir, chart),
  };
}

interface YamlFile {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

function readYamlFile(file: string): YamlFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(file, "utf8"), { lineCounter });
  const error = document.errors[0];
  if (error !== undefined) {
    const reason = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "");
    throw new InputError(`invalid YAML: ${reason}`, file, error.linePos?.[0].line);
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw new InputError(`${path.basename(file)} must be a mapping`, file, 1);
  }
  return { file, document, lineCounter };
}

/**
 * A scalar as Helm reads it into a string field: sigs.k8s.io/yaml keeps the source text of
 * a number there, so `version: 1.10` is "1.10", not 1.1.
 */
function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
}

function optionalString<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Helm lets requirements.yaml (the apiVersion v1 way) override Chart.yaml's list. */
function declaredDependencies(chartDir: string, chart: YamlFile): ChartDependency[] {
  const requirementsFile = path.join(chartDir, REQUIREMENTS_FILE);
  if (existsSync(requirementsFile)) {
    const requirements = readYamlFile(requirementsFile);
    if (requirements.document.has("dependencies")) return dependencyList(requirements);
  }
  return dependencyList(chart);
}

function dependencyList({ document, file, lineCounter }: YamlFile): ChartDependency[] {
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? undefined : lineCounter.linePos(range[0]).line;
  };
  const list = document.get("dependencies", true);
  if (list === undefined || (isScalar(list) && list.value === null)) return [];
  if (!isSeq(list)) throw new InputError("dependencies must be a list", file, lineOf(list));
  return list.items.map((item) => {
    const name = isMap(item) ? scalarText(item.get("name", true)) : undefined;
    if (!isMap(item) || name === undefined || name === "") throw new InputError("every dependency needs a name", file, lineOf(item));
    const field = (key: string) => optionalString(key, scalarText(item.get(key, true)));
    return { name, ...field("version"), ...field("repository"), ...field("condition"), ...field("alias") };
  });
}

// ============================================================================================
// Dependencies
// ============================================================================================

export interface DependencyStatus extends ChartDependency {
  /** A subchart directory or a `name-<version>.tgz` for it is in `charts/`. */
  present: boolean;
}

/** The chart's declared dependencies, and whether each has been vendored into `charts/`. */
export function chartDependencies(chartDir: string): DependencyStatus[] {
  const vendored = vendoredCharts(path.join(chartDir, "charts"));
  return readChartMeta(chartDir).dependencies.map((dependency) => ({ ...dependency, present: vendored(dependency.name) }));
}

export function missingDependencies(chartDir: string): DependencyStatus[] {
  return chartDependencies(chartDir).filter((dependency) => !dependency.present);
}

export function missingDependenciesMessage(chart: string, missing: readonly { name: string }[]): string {
  const names = [...new Set(missing.map((dependency) => dependency.name))].join(", ");
  return (
    `chart ${chart} declares dependencies missing from charts/: ${names} ` +
    "(run `helm dependency build`, or pass --skip-missing-deps to render without them)"
  );
}

export function missingDependenciesError(chart: string, missing: readonly { name: string }[]): InputError {
  return new InputError(missingDependenciesMessage(chart, missing), path.join(chart, CHART_FILE));
}

/** A predicate telling whether `charts/` holds a subchart of the given name. */
function vendoredCharts(chartsDir: string): (name: string) => boolean {
  const entries = listDirectory(chartsDir);
  const subchartNames = new Set<string>();
  const archives: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(chartsDir, entry.name);
    if (entry.name.endsWith(".tgz")) archives.push(entry.name);
    else if (isChartDir(entryPath)) subchartNames.add(subchartName(entryPath, entry.name));
  }
  // `helm dependency build` writes `<name>-<version>.tgz`; the version check keeps
  // `foo` from matching `foo-bar-1.0.0.tgz`.
  const archiveOf = (name: string) => archives.some((file) => file.startsWith(`${name}-`) && /^v?\d/.test(file.slice(name.length + 1)));
  return (name) => subchartNames.has(name) || archiveOf(name);
}

function listDirectory(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // no charts/ directory: nothing vendored
  }
}

function subchartName(dir: string, fallback: string): string {
  try {
    return readChartMeta(dir).name;
  } catch {
    return fallback; // a broken subchart is Helm's to report; here its directory name will do
  }
}

/**
 * For `--skip-missing-deps`: rewrites a temporary copy's Chart.yaml (and requirements.yaml)
 * without the dependencies missing from charts/, and returns their names. Refuses any
 * directory outside the temp dir, so a user's chart can never be rewritten by mistake.
 */
export function withoutMissingDependencies(chartCopyDir: string): string[] {
  assertInsideTempDir(chartCopyDir);
  const missing = new Set(missingDependencies(chartCopyDir).map((dependency) => dependency.name));
  if (missing.size === 0) return [];
  for (const file of [CHART_FILE, REQUIREMENTS_FILE].map((name) => path.join(chartCopyDir, name))) {
    if (existsSync(file)) dropDependencies(file, missing);
  }
  return [...missing];
}

function dropDependencies(file: string, names: ReadonlySet<string>): void {
  const { document } = readYamlFile(file);
  const list = document.get("dependencies", true);
  if (!isSeq(list)) return;
  list.items = list.items.filter((item) => !(isMap(item) && names.has(scalarText(item.get("name", true)) ?? "")));
  writeFileSync(file, document.toString());
}

function assertInsideTempDir(dir: string): void {
  const temp = realpathSync(tmpdir());
  if (!isInside(temp, realpathSync(dir))) {
    throw new Error(`refusing to rewrite ${dir}: withoutMissingDependencies only works on copies under ${temp}`);
  }
}

// ============================================================================================
// Chart copies
// ============================================================================================

interface CopyContext {
  /** The chart's real path: nothing outside it is copied. */
  root: string;
  /** The path the user gave, for naming files in errors. */
  shownRoot: string;
}

/**
 * Copies a chart directory tree for probes to perturb. Symlinks are replaced by what they
 * point to when that is inside the chart; a link leading out of the chart is refused,
 * since rendering it would read files the chart does not own.
 */
export async function copyChart(source: string, destination: string): Promise<void> {
  const root = await realpath(source).catch(() => {
    throw new InputError(`chart directory not found: ${source}`, source);
  });
  await copyTree(root, destination, { root, shownRoot: source }, new Set([root]));
}

/** `ancestors` holds the real paths being copied above this one, to catch symlink loops. */
async function copyTree(dir: string, destination: string, context: CopyContext, ancestors: ReadonlySet<string>): Promise<void> {
  await mkdir(destination, { recursive: true });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const to = path.join(destination, entry.name);
    if (entry.isSymbolicLink()) await copyLinkTarget(from, to, context, ancestors);
    else if (entry.isDirectory()) await copyTree(from, to, context, new Set([...ancestors, from]));
    else if (entry.isFile()) await copyFile(from, to);
    // Sockets, FIFOs and devices are not chart content (and reading a FIFO would block).
  }
}

async function copyLinkTarget(link: string, to: string, context: CopyContext, ancestors: ReadonlySet<string>): Promise<void> {
  const shown = path.join(context.shownRoot, path.relative(context.root, link));
  const target = await realpath(link).catch(() => {
    throw new InputError(`symlink ${shown} is broken`, shown);
  });
  if (!isInside(context.root, target)) {
    throw new InputError(`symlink ${shown} points outside the chart (to ${target}); refusing to follow it`, shown);
  }
  const info = await stat(target);
  if (info.isDirectory()) {
    if (ancestors.has(target)) throw new InputError(`symlink ${shown} makes a loop (to ${target})`, shown);
    await copyTree(target, to, context, new Set([...ancestors, target]));
  } else if (info.isFile()) {
    await copyFile(target, to);
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

// ============================================================================================
// Chart archives (.tgz)
// ============================================================================================

/** Far above any real chart (Helm's own default limit is 100 MiB); stops gzip bombs. */
const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

/**
 * Unpacks a chart archive into `destDir` and returns the chart root (the archive's single
 * top-level directory). Every entry is checked before anything is written: absolute paths,
 * `..` segments and links leading out of the archive make the whole archive refused. Only
 * regular files and directories are written.
 */
export async function extractChartArchive(tgzPath: string, destDir: string): Promise<string> {
  const compressed = await readFile(tgzPath).catch((error: unknown) => {
    throw new InputError(`cannot read chart archive: ${errorMessage(error)}`, tgzPath);
  });
  const tar = await gunzipAsync(compressed, { maxOutputLength: MAX_ARCHIVE_BYTES }).catch((error: unknown) => {
    throw new InputError(`not a gzip-compressed chart archive: ${errorMessage(error)}`, tgzPath);
  });
  const entries = readTarEntries(tar, tgzPath);
  for (const entry of entries) checkEntryStaysInside(entry, tgzPath);
  const rootName = singleTopLevelDirectory(entries, tgzPath);
  await writeEntries(entries, destDir, tgzPath);
  const chartRoot = path.join(destDir, rootName);
  if (!isChartDir(chartRoot)) throw new InputError(`the archive's ${rootName}/ has no ${CHART_FILE}`, tgzPath);
  return chartRoot;
}

type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

interface TarEntry {
  name: string;
  type: TarEntryType;
  linkName: string;
  data: Buffer;
}

/** Attributes that a pax (`x`) or GNU (`L`, `K`) header sets for the entry that follows it. */
interface PendingAttributes {
  path?: string;
  linkPath?: string;
  size?: number;
}

const BLOCK = 512;

/** A minimal tar reader: ustar (with prefix), GNU long names and links, pax path/linkpath/size. */
function readTarEntries(tar: Buffer, archive: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let pending: PendingAttributes = {};
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end-of-archive marker
    verifyHeaderChecksum(header, archive, offset);
    const typeFlag = String.fromCharCode(header[156] ?? 0);
    const isMetadata = typeFlag === "x" || typeFlag === "g" || typeFlag === "L" || typeFlag === "K";
    const size = isMetadata ? headerNumber(header, 124, 12, archive) : (pending.size ?? headerNumber(header, 124, 12, archive));
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new InputError(`truncated tar entry at byte ${offset}`, archive);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeFlag === "L") pending.path = cString(data);
    else if (typeFlag === "K") pending.linkPath = cString(data);
    else if (typeFlag === "x") pending = { ...pending, ...paxAttributes(data, archive) };
    else if (typeFlag !== "g") {
      // A global pax header (`g`) carries defaults such as mtime that a chart does not need.
      entries.push(tarEntry(header, typeFlag, pending, data));
      pending = {};
    }
  }
  return entries;
}

function tarEntry(header: Buffer, typeFlag: string, pending: PendingAttributes, data: Buffer): TarEntry {
  const name = pending.path ?? ustarName(header);
  const linkName = pending.linkPath ?? cString(header.subarray(157, 257));
  return { name, type: entryType(typeFlag, name), linkName, data };
}

function entryType(typeFlag: string, name: string): TarEntryType {
  switch (typeFlag) {
    case "0":
    case "\0":
    case "7":
      return name.endsWith("/") ? "directory" : "file"; // pre-POSIX tars mark directories by a trailing slash
    case "5":
      return "directory";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    default:
      return "other";
  }
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  // POSIX ustar splits long names into prefix + name; GNU's "ustar  " magic uses that space otherwise.
  const isPosixUstar = header.toString("latin1", 257, 263) === "ustar\0";
  const prefix = isPosixUstar ? cString(header.subarray(345, 500)) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString("utf8", 0, end === -1 ? bytes.length : end);
}

/** Numeric header fields are octal text, or base-256 when the first byte's high bit is set. */
function headerNumber(header: Buffer, start: number, length: number, archive: string): number {
  const field = header.subarray(start, start + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    return [...field.subarray(1)].reduce((value, byte) => value * 256 + byte, (field[0] ?? 0) & 0x7f);
  }
  const text = field.toString("latin1").replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new InputError(`not a tar archive (bad number "${text}" in a header)`, archive);
  return Number.parseInt(text, 8);
}

function verifyHeaderChecksum(header: Buffer, archive: string, offset: number): void {
  const stored = headerNumber(header, 148, 8, archive);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
  if (sum !== stored) throw new InputError(`not a tar archive (bad header checksum at byte ${offset})`, archive);
}

/** pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function paxAttributes(data: Buffer, archive: string): PendingAttributes {
  const attributes: PendingAttributes = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = Number.parseInt(data.toString("latin1", offset, space), 10);
    if (space === -1 || !Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new InputError("not a tar archive (bad pax header)", archive);
    }
    const record = data.toString("utf8", space + 1, offset + length - 1); // drop the trailing newline
    const equals = record.indexOf("=");
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === "path") attributes.path = value;
    else if (key === "linkpath") attributes.linkPath = value;
    else if (key === "size") attributes.size = Number.parseInt(value, 10);
    offset += length;
  }
  return attributes;
}

function pathSegments(name: string): string[] {
  return name.split(/[/\\]/).filter((segment) => segment !== "" && segment !== ".");
}

function isAbsoluteEntryPath(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name);
}

function checkEntryStaysInside(entry: TarEntry, archive: string): void {
  const refuse = (reason: string) => new InputError(`refusing archive entry "${entry.name}": ${reason}`, archive);
  if (isAbsoluteEntryPath(entry.name)) throw refuse("absolute path");
  if (pathSegments(entry.name).includes("..")) throw refuse("path leads out of the archive (..)");
  if (entry.type !== "symlink" && entry.type !== "hardlink") return;
  if (isAbsoluteEntryPath(entry.linkName)) throw refuse(`link to an absolute path (${entry.linkName})`);
  // A symlink is relative to its own directory, a hard link to the archive root.
  const base = entry.type === "symlink" ? pathSegments(entry.name).slice(0, -1) : [];
  if (escapes([...base, ...pathSegments(entry.linkName)])) throw refuse(`link leads out of the archive (${entry.linkName})`);
}

function escapes(segments: readonly string[]): boolean {
  let depth = 0;
  for (const segment of segments) {
    depth += segment === ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

function singleTopLevelDirectory(entries: readonly TarEntry[], archive: string): string {
  const topLevel = new Set<string>();
  for (const entry of entries) {
    const segments = pathSegments(entry.name);
    if (segments.length === 1 && entry.type !== "directory") {
      throw new InputError(`a chart archive holds one chart directory, but "${entry.name}" is at its top level`, archive);
    }
    if (segments[0] !== undefined) topLevel.add(segments[0]);
  }
  if (topLevel.size !== 1) {
    const found = topLevel.size === 0 ? "it is empty" : `found ${[...topLevel].join(", ")}`;
    throw new InputError(`a chart archive holds exactly one top-level chart directory; ${found}`, archive);
  }
  return [...topLevel][0]!;
}

async function writeEntries(entries: readonly TarEntry[], destDir: string, archive: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  for (const entry of entries) {
    if (entry.type !== "file" && entry.type !== "directory") continue;
    const target = path.join(destDir, ...pathSegments(entry.name));
    try {
      if (entry.type === "directory") {
        await mkdir(target, { recursive: true });
      } else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, entry.data);
      }
    } catch (error) {
      throw new InputError(`cannot extract "${entry.name}": ${errorMessage(error)}`, archive);
    }
  }
}

// ============================================================================================
// Small helpers
// ============================================================================================

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? "";
}

/** 30000 → "30", 1500 → "1.5" */
function seconds(milliseconds: number): string {
  return String(Number((milliseconds / 1000).toFixed(3)));
}
