/**
 * The Helm adapter: locating the binary and running `helm template` in isolation.
 *
 * - locateHelm: `--helm PATH`, else `$HELM_BIN`, else `helm` on PATH; Helm 3.8+ only.
 * - helmTemplate: `helm template` in an isolated environment (fresh HELM_* homes, no
 *   plugins, no kubeconfig, no post-renderer) with a timeout, and Helm's error mapped
 *   to the template file and line it names.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants as fsConstants, existsSync, mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { access, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InputError } from "../errors.ts";
import { onInterrupt } from "../interrupt.ts";
import { rememberedVersion, rememberVersion } from "./helm-version-cache.ts";
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
/** How long `helm version` may take when the caller names no timeout (the CLI passes --helm-timeout). */
const VERSION_TIMEOUT_MS = 30_000;
const isWindows = process.platform === "win32";

/**
 * Finds the helm binary to use and checks its version. `env` is where `HELM_BIN` and
 * `PATH` are read from (the process environment unless a test says otherwise);
 * `timeoutMs` bounds `helm version`.
 */
export async function locateHelm(explicit?: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = VERSION_TIMEOUT_MS, origin = "--helm"): Promise<Helm> {
  return checkedHelm(await findHelmBinary(explicit, env, origin), timeoutMs, env);
}

/** A helm binary found but not yet version-checked: see findHelm. */
export interface FoundHelm {
  /** Absolute path of the binary. */
  path: string;
  /**
   * Settles as locateHelm would. `reported`: the version a render printed (see
   * VERSION_REPORT_TEMPLATE), which is checked without running helm; without it, or when
   * it does not read as a version, `helm version` runs.
   */
  check(reported?: string): Promise<Helm>;
}

/**
 * locateHelm in two steps, for callers that start rendering before the version is checked:
 * `helm version` costs a whole helm start, as much as a render on a busy machine, and a
 * render can report the version itself. Such a caller must await `check` before it uses
 * any result, and report its error rather than the renders' when both fail.
 */
export async function findHelm(explicit?: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = VERSION_TIMEOUT_MS): Promise<FoundHelm> {
  const binary = await findHelmBinary(explicit, env);
  const check = (reported?: string) => {
    const checked = checkedHelm(binary, timeoutMs, env, reported === undefined ? undefined : parseVersion(reported));
    checked.catch(() => undefined); // the caller awaits it; an early rejection is not unhandled
    return checked;
  };
  return { path: binary, check };
}

/**
 * `known`: the version as a render reported it; without it, the version a run before
 * remembered for this very binary (helm-version-cache.ts), else `helm version` is asked.
 */
async function checkedHelm(binary: string, timeoutMs: number, env: NodeJS.ProcessEnv, known?: Version): Promise<Helm> {
  const version = known ?? remembered(binary, env) ?? (await askedVersion(binary, timeoutMs, env));
  if (isOlderThanMinimum(version)) {
    throw new InputError(
      `helm at ${binary} is ${version.text}, but chartguard needs Helm ${MINIMUM_VERSION.major}.${MINIMUM_VERSION.minor} or newer: ${INSTALL_HINT}`,
    );
  }
  return { path: binary, version: version.text, major: version.major };
}

/** `origin`: the flag that named `explicit`, for the error that says it is not there. */
async function findHelmBinary(explicit: string | undefined, env: NodeJS.ProcessEnv, origin = "--helm"): Promise<string> {
  if (explicit !== undefined && explicit !== "") return resolveCommand(explicit, env, origin);
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

async function readHelmVersion(binary: string, timeoutMs: number): Promise<Version> {
  const run = await withIsolatedHelmEnvironment((env) => runProcess(binary, ["version", "--short"], env, { timeoutMs }))
    .catch((error: unknown) => {
      throw new InputError(`could not run helm at ${binary}: ${errorMessage(error)}; ${INSTALL_HINT}`);
    });
  // Helm 2 prints its client version and then fails to reach Tiller: the version still says enough.
  const version = parseVersion(run.stdout.toString("utf8"));
  if (version !== undefined) return version;
  const reason = run.timedOut ? `timed out after ${seconds(timeoutMs)} s (--helm-timeout)` : firstLine(run.stderr.toString("utf8")) || `exit code ${run.code}`;
  throw new InputError(`could not read the version of helm at ${binary} (${reason}); ${INSTALL_HINT}`);
}

async function askedVersion(binary: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Version> {
  const version = await readHelmVersion(binary, timeoutMs);
  rememberVersion(binary, version.text, env);
  return version;
}

function remembered(binary: string, env: NodeJS.ProcessEnv): Version | undefined {
  const text = rememberedVersion(binary, env);
  return text === undefined ? undefined : parseVersion(text);
}

/** The first version in `text`, e.g. `v3.17.2+gcc0bbbd`. */
function parseVersion(text: string): Version | undefined {
  const match = /\bv?(\d+)\.(\d+)\.\d+\S*/.exec(text);
  return match === null ? undefined : { text: match[0], major: Number(match[1]), minor: Number(match[2]) };
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
 * or cluster. Every Helm directory lies inside that private (0700) home and does not exist,
 * which Helm reads as empty; `helm template` and `helm version` create nothing there. The
 * home is removed afterwards, whatever happens: one empty directory made and removed
 * synchronously around every helm run (a trip through the thread pool, or a recursive
 * removal, would keep a busy machine's helm waiting longer).
 */
async function withIsolatedHelmEnvironment<T>(work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const home = mkdtempSync(path.join(tmpdir(), "chartguard-helm-"));
  const remove = () => {
    try {
      rmdirSync(home);
    } catch {
      rmSync(home, { recursive: true, force: true }); // something wrote into it after all
    }
  };
  const release = onInterrupt(remove);
  try {
    return await work(isolatedEnvironment(home));
  } finally {
    remove();
    release();
  }
}

/**
 * The only variables helm gets from chartguard's own environment: where programs are (helm
 * may be a wrapper script), where temporary files go, and how to print text. Nothing else:
 * a CI job's environment holds tokens and cloud keys (GITHUB_TOKEN, AWS_*), which helm, a
 * wrapper around it and whatever they start have no use for.
 */
const PASSED_TO_HELM = /^(PATH|TMPDIR|TEMP|TMP|TZ|LANG|LANGUAGE|LC_[A-Z_]+|SYSTEMROOT|SystemRoot|WINDIR|windir|PATHEXT|COMSPEC|ComSpec)$/;

/** The environment of a helm run: the allow-listed variables, and Helm's (and Go's) homes in `home`. */
function isolatedEnvironment(home: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => PASSED_TO_HELM.test(name));
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

/**
 * The most stdout chartguard reads from one helm run: a render larger than this is refused
 * (README, "Security"), rather than ending in an out-of-memory crash or Node's string limit.
 */
export const MAX_RENDER_BYTES = 256 * 1024 * 1024;
/** How much of helm's stderr is kept: its end, where the error is. */
const STDERR_TAIL_BYTES = 64 * 1024;
/** The longest a Node timer can wait (about 24.8 days): a longer timeout is capped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** At most MAX_RENDER_BYTES. */
  stdout: Buffer;
  /** The last STDERR_TAIL_BYTES at most. */
  stderr: Buffer;
  timedOut: boolean;
  /** stdout went past MAX_RENDER_BYTES: the process was stopped. */
  overflowed: boolean;
}

interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Spawns a binary (no shell) and collects its output as Buffers, so outputs of hundreds of
 * megabytes cost one copy; both are bounded (MAX_RENDER_BYTES, STDERR_TAIL_BYTES). On
 * timeout, abort or too much output the whole process group is killed: a wrapper script's
 * children would otherwise keep the pipes, and this promise, open.
 */
function runProcess(binary: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions): Promise<ProcessResult> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: !isWindows, windowsHide: true });
    // Detached, helm does not get the terminal's Ctrl-C: the signal handlers stop it.
    const releaseOnInterrupt = onInterrupt(() => killProcessGroup(child));
    let overflowed = false;
    const stdout = collectHead(child.stdout, MAX_RENDER_BYTES, () => {
      overflowed = true;
      stop();
    });
    const stderr = collectTail(child.stderr, STDERR_TAIL_BYTES);
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
        }, Math.min(options.timeoutMs, MAX_TIMER_MS))
      : undefined;
    signal?.addEventListener("abort", stop, { once: true });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      releaseOnInterrupt();
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
        else resolve({ code, signal: exitSignal, stdout: stdout(), stderr: stderr(), timedOut, overflowed });
      }),
    );
  });
}

/** The first `limit` bytes of a stream; `onOverflow` is called (once) when it brings more. */
function collectHead(stream: NodeJS.ReadableStream | null, limit: number, onOverflow: () => void): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream?.on("data", (chunk: Buffer) => {
    if (over) return;
    if (size + chunk.length > limit) {
      over = true;
      onOverflow();
      return;
    }
    chunks.push(chunk);
    size += chunk.length;
  });
  return () => Buffer.concat(chunks);
}

/** The last `limit` bytes of a stream: older chunks are dropped as new ones come. */
function collectTail(stream: NodeJS.ReadableStream | null, limit: number): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    while (chunks.length > 1 && size - chunks[0]!.length >= limit) size -= chunks.shift()!.length;
  });
  return () => {
    const kept = Buffer.concat(chunks);
    return kept.length > limit ? kept.subarray(kept.length - limit) : kept;
  };
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
  /** `--include-crds` unless false: a probe render leaves out what a chart's crds/ folders hold (never templated, so the same in every render). */
  includeCrds?: boolean;
  /** `--is-upgrade`: render as `helm upgrade` does (.Release.IsUpgrade true, .Release.IsInstall false). */
  isUpgrade?: boolean;
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

/** Renders a chart with `helm template` and returns the manifests as Helm printed them, UTF-8 bytes (parseYamlStream decodes each document on its own). */
export async function helmTemplate(helm: Helm, request: RenderRequest, options: RenderOptions): Promise<Buffer> {
  const reportAs = options.reportAs ?? request.chart;
  const args = templateArguments(request);
  const early = options.signal === undefined ? takeEarlyRender(helm.path, args, options.timeoutMs) : undefined;
  const run = await (early ?? withIsolatedHelmEnvironment((env) => runProcess(helm.path, args, env, options))).catch(
    (error: unknown) => {
      if (options.signal?.aborted === true) throw error;
      throw new InputError(`could not run helm at ${helm.path}: ${errorMessage(error)}`, reportAs);
    },
  );
  const stderr = run.stderr.toString("utf8");
  if (run.overflowed) {
    throw new InputError(`helm template printed more than ${MAX_RENDER_BYTES / 1024 / 1024} MiB, the most chartguard reads from one render`, reportAs, undefined, stderr);
  }
  if (run.timedOut) {
    throw new InputError(`helm template timed out after ${seconds(options.timeoutMs)} s (--helm-timeout)`, reportAs, undefined, stderr);
  }
  if (run.signal !== null) {
    throw new InputError(`helm (${helm.path}) was killed by ${run.signal} while rendering the chart`, reportAs, undefined, stderr);
  }
  if (run.code !== 0) throw helmTemplateFailure(stderr, run.code, request.chart, reportAs);
  return run.stdout;
}

/** Renders started before anyone asked for them (startEarlyRender), by binary, arguments and timeout. */
const earlyRenders = new Map<string, { run: Promise<ProcessResult>; stop: AbortController }>();

const earlyRenderKey = (binary: string, args: readonly string[], timeoutMs: number) => JSON.stringify([binary, args, timeoutMs]);

/**
 * Starts `helm template` for `request` now, for the helmTemplate call that later asks for
 * the very same render (binary, arguments, timeout) to take over: the CLI starts the render
 * `check` is about to ask for while the rest of chartguard loads (cli/prestart.ts). A render
 * asked for in any other way runs as usual; discardEarlyRenders stops those no call took.
 */
export function startEarlyRender(binary: string, request: RenderRequest, timeoutMs: number): void {
  const args = templateArguments(request);
  const stop = new AbortController();
  const run = withIsolatedHelmEnvironment((env) => runProcess(binary, args, env, { timeoutMs, signal: stop.signal }));
  run.catch(() => undefined); // its caller awaits it; a render no one takes is not an unhandled rejection
  earlyRenders.set(earlyRenderKey(binary, args, timeoutMs), { run, stop });
}

function takeEarlyRender(binary: string, args: readonly string[], timeoutMs: number): Promise<ProcessResult> | undefined {
  const key = earlyRenderKey(binary, args, timeoutMs);
  const early = earlyRenders.get(key);
  earlyRenders.delete(key);
  return early?.run;
}

/** Stops the early renders no helmTemplate call took (the run asked for another render, or for none). */
export function discardEarlyRenders(): void {
  for (const { stop } of earlyRenders.values()) stop.abort();
  earlyRenders.clear();
}

/**
 * Flags use the `--flag=value` form so that a value starting with `-` stays a value, and the
 * positional arguments follow `--` for the same reason. Never `--post-renderer`: it runs
 * arbitrary programs, and its output would not be the chart's.
 */
const repeated = (flag: string, values: readonly string[]) => values.map((value) => `--${flag}=${value}`);

/** The values flags of a render, in Helm's order of precedence (also what `helm upgrade` needs to keep them). */
export function valuesArguments(request: RenderRequest): string[] {
  return [
    ...repeated("values", request.valuesFiles),
    ...repeated("set", request.set),
    ...repeated("set-string", request.setString),
    ...repeated("set-file", request.setFile),
    ...repeated("set-json", request.setJson),
  ];
}

function templateArguments(request: RenderRequest): string[] {
  return [
    "template",
    ...(request.namespace === "" ? [] : [`--namespace=${request.namespace}`]),
    ...(request.includeCrds === false ? [] : ["--include-crds"]),
    ...(request.isUpgrade === true ? ["--is-upgrade"] : []),
    ...valuesArguments(request),
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

/** How long a chart's own error message may be where a finding quotes it. */
const MAX_REFUSAL_LENGTH = 160;

/**
 * The chart's own message when a render failed on its `fail` or `required` (Helm: `execution
 * error at (<template>:<line>:<col>): <message>`): its first sentence, shortened. Undefined for
 * any other failure (a template bug, helm itself).
 */
export function chartRefusal(error: unknown): string | undefined {
  if (!(error instanceof InputError)) return undefined;
  const refusal = /\bexecution error at \([^)]*\):\s*(.+)$/.exec(error.message)?.[1]?.trim();
  if (refusal === undefined || refusal === "") return undefined;
  const sentence = /^.*?[.!](?=\s|$)/.exec(refusal)?.[0] ?? refusal;
  return sentence.length > MAX_REFUSAL_LENGTH ? `${sentence.slice(0, MAX_REFUSAL_LENGTH - 1)}…` : sentence;
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

/** A file as Helm names it, after the chart's name (`web/templates/x.yaml`): its path in the chart (`templates/x.yaml`). */
export function pathInChart(helmPath: string): string {
  return helmPath.split("/").slice(1).join("/");
}

/** Helm names a template by chart name, not directory: swap the first segment for the directory. */
function templateFile(template: string, chartDir: string, reportAs: string): string {
  const withinChart = pathInChart(template);
  return existsSync(path.join(chartDir, withinChart)) ? path.join(reportAs, withinChart) : template;
}

// ============================================================================================
// Helm's version, reported by a render
// ============================================================================================

/**
 * A template printing Helm's version (as `helm version --short` does) in a comment-only
 * document. Added to a chart copy that is rendered anyway, it saves the `helm version` run
 * (see findHelm); takeVersionReport cuts its document out of the output again.
 */
export const VERSION_REPORT_FILE = "chartguard-helm-version.yaml";
const VERSION_REPORT_PREFIX = "# chartguard-helm-version: ";
export const VERSION_REPORT_TEMPLATE = `${VERSION_REPORT_PREFIX}{{ with .Capabilities.HelmVersion }}{{ .Version }}{{ if ge (len .GitCommit) 7 }}+g{{ trunc 7 .GitCommit }}{{ end }}{{ end }}\n`;

/** The output (text, or bytes) of a chart whose templates/ holds VERSION_REPORT_FILE, without that document, and the version it reported. */
export function takeVersionReport<Output extends string | Buffer>(output: Output, chartName: string): { output: Output; version?: string } {
  const start = output.indexOf(`---\n# Source: ${chartName}/templates/${VERSION_REPORT_FILE}\n${VERSION_REPORT_PREFIX}`);
  if (start === -1) return { output };
  const versionStart = output.indexOf(VERSION_REPORT_PREFIX, start) + VERSION_REPORT_PREFIX.length;
  const lineEnd = output.indexOf("\n", versionStart);
  const end = lineEnd === -1 ? output.length : lineEnd;
  const rest = (typeof output === "string" ? output.slice(0, start) + output.slice(end + 1) : Buffer.concat([output.subarray(0, start), output.subarray(end + 1)])) as Output;
  return { output: rest, version: output.slice(versionStart, end).toString() };
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
