/**
 * `npm run bench`: chartguard's speed and memory on large inputs, each against a floor
 * measured in the same run on the same machine.
 *
 *   npm run bench                    every case (about 15 minutes on a 2-core machine, half of it the npm peer)
 *   npm run bench -- --quick         small sizes, to check the harness (about 1 minute)
 *   npm run bench -- --only a,d      some cases: a b c d e f (and `probes`, the probe benchmark; `chart`;
 *                                    `peer`, the npm peer @monokle/validation on the cluster dumps of a)
 *   npm run bench -- --chart DIR     also a real chart (repeatable): `check` with and without probes
 *                                    against one `helm template` of the same chart in the same run;
 *                                    dependencies its charts/ lacks are taken offline from folders of
 *                                    the same name next to it (bench/real-chart.ts), e.g.
 *                                    --chart ../helm-charts/charts/kube-prometheus-stack
 *   npm run bench -- --runs 3        best of 3 runs per measurement (default 2)
 *   npm run bench -- --no-yaml-ref   skip the `yaml` package reference parses (slow, ~9 GB at 100k)
 *
 * What is measured: chartguard as users run it, the compiled CLI (`tsc` into
 * .cache/bench/dist first), `chartguard check INPUT --no-config`, text report to /dev/null.
 * Wall time is from spawning the process to its exit (Node startup included, on both
 * sides); peak RSS is the process's own getrusage maxrss (helm subprocesses not included).
 * Every measurement runs in a fresh process, so cases cannot contaminate each other.
 *
 * Floors (bench/floor.mjs, plain Node, no chartguard code):
 * - cluster dumps: js-yaml 4 `loadAll` of the same file with DEFAULT_SCHEMA and its
 *   position `listener` on (recording every node's offset): the fastest way the YAML library
 *   gives values and positions. chartguard reads values with js-yaml and finds lines only
 *   for the fields findings point at. For reference, the `yaml` package's parse of the same
 *   file (streaming Parser + Composer, LineCounter) is printed too.
 * - charts: plain `helm template` of every chart below the directory, with the same number
 *   of charts rendered at once as chartguard's `--jobs`; for a real chart (--chart), one
 *   `helm template` of it.
 *
 * Inputs come from bench/generate.ts (deterministic) and are kept in .cache/bench/inputs,
 * regenerated when their spec changes.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeCharts, writeDump, type DumpShape, type DumpSpec } from "./generate.ts";
import { assembleChart, assembledChartDir } from "./real-chart.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WORK = join(ROOT, ".cache", "bench");
const DIST = join(WORK, "dist");
const INPUTS = join(WORK, "inputs");
const PEAK_RSS = pathToFileURL(join(ROOT, "bench", "peak-rss.mjs")).href;
const FLOOR = join(ROOT, "bench", "floor.mjs");
const PEER = join(ROOT, "bench", "peer.mjs");
const CLI = join(DIST, "cli", "main.js");

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  only: Set<string> | undefined;
  runs: number;
  yamlReference: boolean;
  jobs: number;
  charts: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { quick: false, only: undefined, runs: 2, yamlReference: true, jobs: availableParallelism(), charts: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--only") options.only = new Set(value().split(",").map((s) => s.trim()));
    else if (arg === "--runs") options.runs = Math.max(1, Number(value()));
    else if (arg === "--no-yaml-ref") options.yamlReference = false;
    else if (arg === "--jobs") options.jobs = Math.max(1, Number(value()));
    else if (arg === "--chart") options.charts.push(resolve(value()));
    else throw new Error(`unknown option ${arg} (see bench/run.ts)`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Measuring one process

export interface Measurement {
  ms: number;
  rssMB: number;
  code: number | null;
  stderr: string;
  /** Killed after the timeout given to measure. */
  timedOut?: boolean;
}

let rssCounter = 0;

async function measure(args: readonly string[], nodeFlags: readonly string[] = [], timeoutMs = Infinity): Promise<Measurement> {
  const rssFile = join(WORK, `rss-${process.pid}-${rssCounter++}`);
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, "--import", PEAK_RSS, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs)
    : undefined;
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", (exitCode) => done(exitCode));
  });
  clearTimeout(timer);
  const ms = performance.now() - start;
  const rssKiB = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : NaN;
  rmSync(rssFile, { force: true });
  return { ms, rssMB: rssKiB / 1024, code, stderr, ...(timedOut ? { timedOut } : {}) };
}

/**
 * Best (lowest wall time) of `runs`, floor and chartguard alternating so that drift hits
 * both, and the median of the ratios of each run to the floor run just before it
 * (`pairRatio`), which is what a ratio target is judged by: the ratio of the two bests
 * takes each side's luckiest moment on its own, and on a noisy machine it moved between
 * 1.13x and 1.31x across bench runs of one build (kube-prometheus-stack, about 0.9 s), and
 * from 1.47x to 1.63x on the 100k-object e) dump. It is printed beside, for the record.
 */
async function measurePair(
  runs: number,
  floor: () => Promise<Measurement>,
  subject: () => Promise<Measurement>,
): Promise<{ floor: Measurement; subject: Measurement; pairRatio: number }> {
  let best: { floor: Measurement; subject: Measurement } | undefined;
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const f = await floor();
    const s = await subject();
    check(f, "floor");
    check(s, "chartguard");
    ratios.push(s.ms / f.ms);
    best = {
      floor: best === undefined || f.ms < best.floor.ms ? f : best.floor,
      subject: best === undefined || s.ms < best.subject.ms ? s : best.subject,
    };
  }
  const sorted = ratios.sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const pairRatio = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { ...best!, pairRatio };
}

/** Within `target` by the median ratio of the runs to their floor runs (measurePair). */
function withinRatio(measured: { pairRatio: number }, target: number): boolean {
  return measured.pairRatio <= target;
}

function check(m: Measurement, what: string): void {
  // chartguard exits 1 when it finds problems (the generated inputs have some on purpose).
  if (m.code !== 0 && !(what === "chartguard" && m.code === 1)) {
    throw new Error(`${what} failed (exit ${m.code}):\n${m.stderr.slice(0, 4000)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

export interface Row {
  case: string;
  size: string;
  wallMs: number;
  rssMB: number;
  floorMs?: number;
  /** The median of each run's ratio to the floor run beside it (measurePair). */
  pairRatio?: number;
  target?: string;
  /** Pass or fail; undefined where the row has no target. */
  pass?: boolean;
  note?: string;
}

/** Each row is also said on stderr when it is measured: a long run stopped early keeps what it measured. */
const rows = new (class extends Array<Row> {
  override push(...added: Row[]): number {
    for (const row of added) {
      const against = row.floorMs === undefined ? "" : `, floor ${row.floorMs.toFixed(0)} ms, ${ratio(row)!.toFixed(2)}x${row.pairRatio === undefined ? "" : ` (run by run ${row.pairRatio.toFixed(2)}x)`}`;
      console.error(`  measured ${row.case} (${row.size}): ${row.wallMs.toFixed(0)} ms${against}`);
    }
    return super.push(...added);
  }
})();
const notes: string[] = [];

function ratio(row: Row): number | undefined {
  return row.floorMs === undefined ? undefined : row.wallMs / row.floorMs;
}

function printTable(): void {
  const header = ["case", "objects/charts", "wall ms", "peak RSS MB", "floor ms", "ratio", "pair ratio", "target", "result"];
  const body = rows.map((row) => [
    row.case,
    row.size,
    row.wallMs.toFixed(0),
    Number.isNaN(row.rssMB) ? "?" : row.rssMB.toFixed(0),
    row.floorMs === undefined ? "-" : row.floorMs.toFixed(0),
    ratio(row) === undefined ? "-" : `${ratio(row)!.toFixed(2)}x`,
    row.pairRatio === undefined ? "-" : `${row.pairRatio.toFixed(2)}x`,
    row.target ?? "-",
    row.pass === undefined ? "-" : row.pass ? "pass" : "FAIL",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 2 && i <= 6 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
  for (const r of body) console.log(line(r));
  for (const row of rows) if (row.note) notes.push(`${row.case}: ${row.note}`);
  if (notes.length > 0) {
    console.log("");
    for (const note of notes) console.log(`- ${note}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

interface DumpInput {
  path: string;
  objects: number;
  workloads: number;
  namespaces: number;
  bytes: number;
  planted: number;
}

async function dumpInput(name: string, spec: DumpSpec): Promise<DumpInput> {
  const path = join(INPUTS, `${name}.yaml`);
  const specPath = `${path}.spec.json`;
  const key = JSON.stringify({ spec, generator: generatorStamp() });
  if (existsSync(path) && existsSync(specPath)) {
    const saved = JSON.parse(readFileSync(specPath, "utf8")) as { key: string; summary: DumpInput };
    if (saved.key === key) return saved.summary;
  }
  const started = performance.now();
  const summary = await writeDump(path, spec);
  const input: DumpInput = { path, ...summary, planted: summary.planted.length };
  writeFileSync(specPath, JSON.stringify({ key, summary: input }));
  console.error(`  generated ${name}: ${summary.objects} objects, ${(summary.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return input;
}

async function chartsInput(name: string, charts: number): Promise<string> {
  const dir = join(INPUTS, name);
  const stampPath = `${dir}.spec.json`;
  const key = JSON.stringify({ charts, generator: generatorStamp() });
  if (existsSync(dir) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === key) return dir;
  rmSync(dir, { recursive: true, force: true });
  await writeCharts(dir, { charts });
  writeFileSync(stampPath, key);
  return dir;
}

/** Inputs are regenerated whenever the generator changes. */
function generatorStamp(): string {
  const stat = statSync(join(ROOT, "bench", "generate.ts"));
  return `${stat.size}:${stat.mtimeMs}`;
}

// ---------------------------------------------------------------------------------------------
// Cases

const MB = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

async function dumpCase(id: string, label: string, input: DumpInput, options: Options, target?: { ratio: number; rssMB: number }): Promise<Row> {
  const measured = await measurePair(
    options.runs,
    () => measure([FLOOR, "js-yaml", input.path]),
    () => measure([CLI, "check", input.path, "--no-config"]),
  );
  const { floor, subject } = measured;
  const row: Row = {
    case: `${id}) ${label}`,
    size: `${input.objects.toLocaleString("en-US")} (${input.workloads.toLocaleString("en-US")} workloads, ${MB(input.bytes)})`,
    wallMs: subject.ms,
    rssMB: subject.rssMB,
    floorMs: floor.ms,
    pairRatio: measured.pairRatio,
    note: `floor peak RSS ${floor.rssMB.toFixed(0)} MB`,
  };
  if (target) {
    row.target = `<= ${target.ratio}x, < ${target.rssMB} MB`;
    row.pass = withinRatio(measured, target.ratio) && subject.rssMB < target.rssMB;
  }
  if (options.yamlReference) {
    const estimatedMB = (input.bytes / 1e6) * 50;
    if (estimatedMB > totalmem() / 1e6 * 0.7) {
      row.note += `; yaml reference skipped (would need ~${(estimatedMB / 1000).toFixed(0)} GB)`;
    } else {
      const heap = Math.ceil(Math.max(4096, estimatedMB * 1.2));
      const ref = await measure([FLOOR, "yaml", input.path], [`--max-old-space-size=${heap}`]);
      check(ref, "yaml reference");
      row.note += `; \`yaml\` package parse (positions on) ${ref.ms.toFixed(0)} ms, ${ref.rssMB.toFixed(0)} MB (chartguard ${(ref.ms / subject.ms).toFixed(1)}x faster)`;
    }
  }
  return row;
}

/** The npm peer's longest run and largest heap: at 100k objects it would take hours and tens of GB. */
const PEER_TIMEOUT_MS = 300_000;
const PEER_HEAP_MB = 4096;

/**
 * chartguard against the npm peer (bench/peer.mjs, @monokle/validation) on the same cluster
 * dump: the peer is the "floor" of the row, and the target is to be faster at every size.
 * A peer that does not finish within PEER_TIMEOUT_MS counts at that time (chartguard's lead is then larger).
 */
async function peerCase(input: DumpInput): Promise<Row> {
  const subject = await measure([CLI, "check", input.path, "--no-config"]);
  check(subject, "chartguard");
  // Its heap capped so that running out of memory ends the peer, not the machine's other work.
  const peer = await measure([PEER, input.path], [`--max-old-space-size=${PEER_HEAP_MB}`], PEER_TIMEOUT_MS);
  const failure = peer.timedOut ? `did not finish in ${PEER_TIMEOUT_MS / 1000} s (killed)` : peer.code !== 0 ? `failed (exit ${peer.code}: ${peer.stderr.trim().split("\n").at(-1) ?? ""})` : undefined;
  return {
    case: "peer) @monokle/validation, same cluster dump",
    size: `${input.objects.toLocaleString("en-US")} (${MB(input.bytes)})`,
    wallMs: subject.ms,
    rssMB: subject.rssMB,
    floorMs: peer.ms,
    target: "< 1x (faster than the peer)",
    pass: subject.ms < peer.ms,
    note:
      failure !== undefined
        ? `the peer ${failure} after ${(peer.ms / 1000).toFixed(0)} s; ratio against that time`
        : `the peer: ${peer.ms.toFixed(0)} ms, ${peer.rssMB.toFixed(0)} MB peak RSS (plugins yaml-syntax, resource-links, pod-security-standards, practices, metadata; kubernetes-schema needs the network)`,
  };
}

async function chartsCase(label: string, dir: string, charts: number, options: Options, helm: string, probe: boolean, targetRatio: number): Promise<Row> {
  const jobs = String(options.jobs);
  const measured = await measurePair(
    options.runs,
    () => measure([FLOOR, "helm", dir, jobs, helm]),
    () => measure([CLI, "check", dir, "--no-config", "--jobs", jobs, "--helm", helm, ...(probe ? [] : ["--no-probe"])]),
  );
  return {
    case: label,
    size: `${charts} charts, --jobs ${jobs}`,
    wallMs: measured.subject.ms,
    rssMB: measured.subject.rssMB,
    floorMs: measured.floor.ms,
    pairRatio: measured.pairRatio,
    target: `<= ${targetRatio}x`,
    pass: withinRatio(measured, targetRatio),
    note: `floor: helm template ${charts} charts, ${jobs} at once`,
  };
}

/**
 * Per-object cost (wall time / objects) at each size, and its growth over the last tenfold
 * step: linear means it does not grow (startup dominates the smallest size).
 */
function scalingNotes(id: string, scaling: Row[]): void {
  const objects = (row: Row) => Number(row.size.split(" ")[0]!.replaceAll(",", ""));
  const perObject = scaling.map((row) => row.wallMs / objects(row));
  const growth = perObject[perObject.length - 1]! / perObject[perObject.length - 2]!;
  const last = scaling[scaling.length - 1]!;
  const target = "per-object cost x10 size <= 1.2x";
  last.target = last.target === undefined ? target : `${last.target}; ${target}`;
  last.pass = (last.pass ?? true) && growth <= 1.2;
  for (const [i, row] of scaling.entries()) row.note = `${(perObject[i]! * 1000).toFixed(1)} ms per 1k objects${row.note ? `; ${row.note}` : ""}`;
  notes.push(`${id}) per-object cost from ${objects(scaling[scaling.length - 2]!)} to ${objects(last)} objects: x${growth.toFixed(2)} (1.00 = exactly linear)`);
}

/** A real chart directory: `check` against one `helm template` of the same chart, alternating. */
async function realChartCase(chart: string, options: Options, helm: string, probe: boolean, targetRatio: number): Promise<Row> {
  const measured = await measurePair(
    options.runs,
    () => measure([FLOOR, "helm", chart, "1", helm]),
    () => measure([CLI, "check", chart, "--no-config", "--helm", helm, ...(probe ? [] : ["--no-probe"])]),
  );
  return {
    case: `chart ${chart.split("/").pop()}, probes ${probe ? "on" : "off"}`,
    size: "1 chart",
    wallMs: measured.subject.ms,
    rssMB: measured.subject.rssMB,
    floorMs: measured.floor.ms,
    pairRatio: measured.pairRatio,
    target: `<= ${targetRatio}x`,
    pass: withinRatio(measured, targetRatio),
    note: `floor: one helm template of ${chart}`,
  };
}

function helmBinary(): string {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const run = spawnSync(process.execPath, ["-e", "import('./scripts/ensure-helm.mjs').then(m => process.stdout.write(m.ensureHelm(3)))"], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0 || !run.stdout) throw new Error(`could not unpack helm: ${run.stderr}`);
  return run.stdout.trim();
}

function compile(): void {
  const started = performance.now();
  // As `npm run build` builds it: the command line is the bundle users run (scripts/build.mjs).
  const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--out-dir", DIST], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0 || !existsSync(CLI)) throw new Error(`the build failed: ${build.stderr}`);
  console.error(`  compiled chartguard into ${DIST} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const wanted = (id: string) => options.only === undefined || options.only.has(id);
  mkdirSync(INPUTS, { recursive: true });
  const began = performance.now();
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`chartguard bench: ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}${options.quick ? ", --quick sizes" : ""}, best of ${options.runs}`);
  compile();

  const big = options.quick ? 10_000 : 100_000;
  if (wanted("a") || wanted("c")) {
    const input = await dumpInput(`dump-${big}`, { objects: big, namespaces: big / 100, format: "list" });
    const a = await dumpCase("a", `cluster dump, ${input.namespaces} namespaces`, input, options, { ratio: 1.5, rssMB: 1024 });
    if (wanted("a")) rows.push(a);
    if (wanted("c")) {
      const sizes = options.quick ? [1_000, 3_000] : [1_000, 10_000];
      const scaling: Row[] = [];
      for (const n of sizes) {
        const small = await dumpInput(`dump-${n}`, { objects: n, namespaces: Math.max(1, n / 100), format: "list" });
        scaling.push(await dumpCase("c", `scaling`, small, { ...options, yamlReference: options.yamlReference && !options.quick }));
      }
      scaling.push({ ...a, case: "c) scaling", note: "same run as a)" });
      scalingNotes("c", scaling);
      rows.push(...scaling);
    }
  }

  if (wanted("b")) {
    const workloads = options.quick ? 2_000 : 20_000;
    const input = await dumpInput(`one-namespace-${workloads}`, { workloads, namespaces: 1, format: "list" });
    rows.push(await dumpCase("b", "one namespace, shared label keys", input, options, { ratio: 1.5, rssMB: 1024 }));
  }

  // Finding-heavy shapes: the cost of a run must not grow faster than its findings.
  const findingShapes: { id: string; label: string; shape: DumpShape; namespaces: (objects: number) => number }[] = [
    { id: "e", label: "a finding on most objects (every Service and PDB dangles)", shape: "dangling", namespaces: (n) => Math.min(1000, Math.max(1, n / 100)) },
    { id: "f", label: "one namespace, every Service overlaps a Job, PDBs dangle", shape: "job-overlap", namespaces: () => 1 },
  ];
  for (const { id, label, shape, namespaces } of findingShapes) {
    if (!wanted(id)) continue;
    const sizes = options.quick ? [1_000, 3_000] : [1_000, 10_000, 100_000];
    const scaling: Row[] = [];
    for (const n of sizes) {
      const input = await dumpInput(`${shape}-${n}`, { objects: n, namespaces: namespaces(n), format: "list", shape });
      const last = n === sizes[sizes.length - 1];
      scaling.push(await dumpCase(id, label, input, { ...options, yamlReference: false }, last ? { ratio: 1.5, rssMB: 1024 } : undefined));
    }
    scalingNotes(id, scaling);
    rows.push(...scaling);
  }

  if (wanted("peer")) {
    const sizes = options.quick ? [1_000, 3_000] : [1_000, 10_000, 100_000];
    for (const n of sizes) rows.push(await peerCase(await dumpInput(`dump-${n}`, { objects: n, namespaces: Math.max(1, n / 100), format: "list" })));
  }

  if (wanted("chart")) {
    if (options.charts.length === 0) notes.push("chart: no real chart given (--chart DIR), so no real chart was measured");
    const helm = options.charts.length > 0 ? helmBinary() : "";
    for (const source of options.charts) {
      const { dir: chart, vendored, dropped } = assembleChart(source, assembledChartDir(INPUTS, source));
      notes.push(`chart ${source}: copied with ${vendored.length === 0 ? "no dependency" : vendored.join(", ")} vendored from its sibling folders${dropped.length === 0 ? "" : `; ${dropped.join(", ")} not found offline, left out of Chart.yaml`}`);
      rows.push(await realChartCase(chart, options, helm, false, 1.2));
      rows.push(await realChartCase(chart, options, helm, true, 2));
    }
  }

  if (wanted("d")) {
    const charts = options.quick ? 20 : 200;
    const dir = await chartsInput(`charts-${charts}`, charts);
    const helm = helmBinary();
    rows.push(await chartsCase("d) charts, probes off", dir, charts, options, helm, false, 1.3));
    rows.push(await chartsCase("d) charts, probes on", dir, charts, options, helm, true, 2.5));
  }

  if (wanted("probes")) await probeBench();

  if (options.quick) {
    // The targets are set for the full sizes: at the quick ones Node's start-up outweighs the work.
    for (const row of rows) delete row.pass;
    notes.push("--quick: small sizes, to check the harness; the targets are for the full sizes and are not judged here");
  }
  console.log("");
  printTable();
  console.log("");
  console.log("Floors: a) b) c) e) f): js-yaml 4 loadAll of the same file, DEFAULT_SCHEMA, position listener on (every node's offset recorded); d): plain `helm template` of every chart, same parallelism; chart: one `helm template` of the same chart.");
  console.log("chartguard: the compiled CLI, `chartguard check INPUT --no-config`, text report to /dev/null; wall time includes Node startup on both sides; RSS is the Node process's peak (getrusage).");
  console.log(`Total bench time ${((performance.now() - began) / 1000).toFixed(0)} s. Reproduce: npm run bench${options.quick ? " -- --quick" : ""}`);
  if (rows.some((row) => row.pass === false)) process.exitCode = 1;
}

/** The probe-render benchmark, when its module is there (bench/probes.ts exporting benchProbes). */
async function probeBench(): Promise<void> {
  const file = join(ROOT, "bench", "probes.ts");
  if (!existsSync(file)) {
    notes.push("probes: bench/probes.ts is not there yet; the probe benchmark was skipped");
    return;
  }
  const module = (await import(pathToFileURL(file).href)) as {
    benchProbes?: () => Promise<{ name: string; ms: number; floorMs: number; floor: string }[]>;
  };
  if (typeof module.benchProbes !== "function") {
    notes.push("probes: bench/probes.ts exports no benchProbes(); skipped");
    return;
  }
  for (const result of await module.benchProbes()) {
    rows.push({
      case: `probes: ${result.name}`,
      size: "1 chart",
      wallMs: result.ms,
      rssMB: NaN,
      floorMs: result.floorMs,
      target: "<= 2x",
      pass: result.ms / result.floorMs <= 2,
      note: `bench/probes.ts, in-process median; floor: ${result.floor}`,
    });
  }
}

await main();
