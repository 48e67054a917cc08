/**
 * Shared pieces of the hostile-input tests: temp folders, runs of the real CLI with a
 * private temp dir, and the one assertion every refusal must pass (exit 2, one line on
 * stderr naming the file, nothing on stdout, no stack trace).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
// Resolved here, so that runs from any working directory find it.
const TSX = import.meta.resolve("tsx");
export const FIXTURE_CHARTS = fileURLToPath(new URL("../fixtures/charts/", import.meta.url));

const created: string[] = [];
after(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed when the test file ends. */
export function tempDir(label = "hostile"): string {
  const dir = mkdtempSync(join(tmpdir(), `chartguard-${label}-`));
  created.push(dir);
  return dir;
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = join(dir, name);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, content);
  return file;
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The private TMPDIR the run used: chartguard must leave it empty. */
  tmp: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  uid?: number;
  gid?: number;
  /** cliAsync: a file (or FIFO) to open as stdin, instead of none. */
  stdin?: string;
}

/**
 * Runs `chartguard ARGS` as a user would (through tsx, no build), with TMPDIR pointing at a
 * private folder so that what chartguard leaves behind there can be checked.
 */
export function cli(args: readonly string[], options: RunOptions = {}): Run {
  const tmp = tempDir("run-tmp");
  if (options.uid !== undefined) chmodSync(tmp, 0o777);
  const started = Date.now();
  const result = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    input: options.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", TMPDIR: tmp, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started, tmp };
}

/**
 * Whether process `pid` has installed handlers for SIGHUP, SIGINT and SIGTERM: chartguard's
 * (cli/signals.ts), once it runs. tsx handles SIGINT and SIGTERM before that, not SIGHUP.
 */
export function handlesSignals(pid: number): boolean {
  try {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (caught === undefined) return false;
    const mask = BigInt(`0x${caught}`);
    return [1n, 2n, 15n].every((signal) => (mask & (1n << (signal - 1n))) !== 0n);
  } catch {
    return false;
  }
}

/** Whether process `pid` reads its stdin: Node makes a pipe non-blocking (O_NONBLOCK) when it starts reading it. */
export function readsStdin(pid: number): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/0`, "utf8"))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & 0o4000) !== 0;
  } catch {
    return false;
  }
}

/** The same, in the background: for sending signals mid-run. */
export function cliAsync(args: readonly string[], options: RunOptions = {}) {
  const tmp = tempDir("run-tmp");
  const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", TMPDIR: tmp, ...options.env },
    stdio: [options.stdin === undefined ? "ignore" : openSync(options.stdin, "r"), "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done, tmp };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface Refusal {
  /** The file the message must name, as given on the command line. */
  file?: string;
  line?: number;
  column?: number;
  message: RegExp;
  /** Upper bound for the run, in milliseconds: only where a timeout chartguard applies must have ended it (a generous multiple of that timeout); hangs are caught by the runner's own time limit. */
  withinMs?: number;
}

/** Exit 2, nothing on stdout, exactly one line on stderr: `chartguard: FILE[:LINE[:COL]]: MESSAGE`. */
export function assertRefused(run: Run, expected: Refusal): void {
  const context = `stderr: ${run.stderr}`;
  assert.equal(run.signal, null, `killed by ${run.signal}; ${context}`);
  assert.equal(run.status, 2, context);
  assert.equal(run.stdout, "", "nothing on stdout when the run fails");
  assert.doesNotMatch(run.stderr, /\n\s+at \S/, "no stack trace");
  const lines = run.stderr.split("\n");
  assert.equal(lines.length, 2, `exactly one line on stderr; ${context}`);
  const [line] = lines as [string];
  let where = "";
  if (expected.file !== undefined) {
    where = escape(expected.file);
    if (expected.line !== undefined) where += `:${expected.line}`;
    else where += "(?::\\d+)?";
    if (expected.column !== undefined) where += `:${expected.column}`;
    else if (expected.line !== undefined) where += "(?::\\d+)?";
    where += ": ";
  }
  const match = new RegExp(`^chartguard: ${where}(.*)$`).exec(line);
  assert.ok(match, `names ${expected.file ?? "no file"}${expected.line === undefined ? "" : `:${expected.line}`}; ${context}`);
  assert.match(match[1]!, expected.message, context);
  if (expected.withinMs !== undefined) assert.ok(run.ms < expected.withinMs, `took ${run.ms} ms, limit ${expected.withinMs} ms`);
  assertTempClean(run.tmp);
}

/** chartguard removed every temporary file and folder it made (tsx-* is the test harness's compile cache). */
export function assertTempClean(tmp: string): void {
  const left = readdirSync(tmp).filter((name) => !/^tsx-\d+$/.test(name));
  assert.deepEqual(left, [], `chartguard left files in its temp dir ${tmp}`);
}

/** Every file and folder under `dir`, with size, mode and content hash, for before/after comparisons. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const info = statSync(full, { throwIfNoEntry: false });
      const key = full.slice(dir.length);
      if (entry.isSymbolicLink()) out[key] = "symlink";
      else if (entry.isDirectory()) {
        out[key] = `dir ${info?.mode.toString(8)} ${info?.mtimeMs}`;
        visit(full);
      } else if (entry.isFile()) out[key] = `file ${info?.mode.toString(8)} ${info?.mtimeMs} ${readFileSync(full).toString("base64")}`;
      else out[key] = "other";
    }
  };
  visit(dir);
  return out;
}

/** Writes an executable /bin/sh script. */
export function script(dir: string, name: string, body: string): string {
  const file = writeFile(dir, name, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A minimal valid chart (one Deployment and a Service) in a new folder; returns its path. */
export function smallChart(dir: string, name = "web"): string {
  const chart = join(dir, name);
  writeFile(chart, "Chart.yaml", `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nappVersion: "1.0.0"\n`);
  writeFile(chart, "values.yaml", "replicas: 1\n");
  writeFile(
    chart,
    "templates/deployment.yaml",
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: {{ .Release.Name }}",
      "spec:",
      "  replicas: {{ .Values.replicas }}",
      "  selector:",
      "    matchLabels: {app: {{ .Release.Name }}}",
      "  template:",
      "    metadata:",
      "      labels: {app: {{ .Release.Name }}}",
      "    spec:",
      "      containers: [{name: app, image: nginx}]",
      "",
    ].join("\n"),
  );
  writeFile(
    chart,
    "templates/service.yaml",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector: {app: {{ .Release.Name }}}\n  ports: [{port: 80}]\n",
  );
  return chart;
}

/** The uid a test can drop to when it runs as root (for permission tests), or undefined. */
export function unprivilegedUid(): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const nobody = spawnSync("id", ["-u", "nobody"], { encoding: "utf8" });
  return nobody.status === 0 ? Number(nobody.stdout.trim()) : 65534;
}
