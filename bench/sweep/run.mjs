// Runs the compiled chartguard CLI over every chart under --charts, as a user would run
// `chartguard check CHART`, and writes one row per run and one row per finding.
// Usage: node bench/sweep/run.mjs --charts /work/charts --out DIR [--jobs 2] [--only REGEX] [--values ci]
//        [--helm PATH] [--timeout SECONDS]
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";
import { parse } from "yaml";
import { FINDING_COLUMNS, RESULT_COLUMNS, readTsv, tsvLine } from "./tsv.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { assembleChart } = await tsImport("../real-chart.ts", import.meta.url);
const { releaseNameFor } = await import(join(root, "dist/render/chart-input.js"));

const { values: args } = parseArgs({
  options: {
    charts: { type: "string", default: "/work/charts" },
    out: { type: "string" },
    jobs: { type: "string", default: "2" },
    only: { type: "string" },
    values: { type: "string", default: "default" },
    helm: { type: "string", default: join(root, ".cache/helm/v4/helm") },
    timeout: { type: "string", default: "300" },
  },
});
if (args.out === undefined) throw new Error("--out DIR is required");
if (!["default", "ci"].includes(args.values)) throw new Error("--values is default or ci");
const timeoutSeconds = Number(args.timeout);

/** Chart folders under `dir`, library charts included, but no subchart in another chart's charts/. */
function findCharts(dir, found = []) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const isChart = entries.some((entry) => entry.isFile() && entry.name === "Chart.yaml");
  if (isChart) found.push(dir);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === ".git" || entry.name === "node_modules") continue;
    if (isChart && entry.name === "charts") continue;
    findCharts(join(dir, entry.name), found);
  }
  return found;
}

function chartMeta(dir) {
  try {
    return parse(readFileSync(join(dir, "Chart.yaml"), "utf8"), { logLevel: "error" }) ?? {};
  } catch {
    return {}; // an unparsable Chart.yaml is still a chart: chartguard and helm report it
  }
}

/** The runs of one chart: its default values, or each of its ci/*.yaml files. */
function runsOf(chart) {
  if (args.values === "default") return [{ chart, values: "default" }];
  const ci = join(chart, "ci");
  if (!existsSync(ci)) return [];
  return readdirSync(ci)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ chart, values: `ci/${name}` }));
}

/**
 * Where a dependency is, as a repository's own CI finds it: the sibling folder of that name,
 * else the chart of that name elsewhere in the same repository (newrelic keeps its
 * common-library under library/).
 */
function locatorFor(source, allCharts) {
  const repository = relative(args.charts, source).split("/")[0];
  return (name) => {
    if (existsSync(join(dirname(source), name, "Chart.yaml"))) return join(dirname(source), name);
    return allCharts.find((chart) => relative(args.charts, chart).split("/")[0] === repository && chartMeta(chart).name === name);
  };
}

/**
 * Copies the chart with its dependencies vendored where locatorFor finds them, and their own
 * dependencies in turn (a bitnami chart's postgresql needs bitnami's common too).
 */
function assembleDeep(source, into, allCharts, depth = 0) {
  const locate = locatorFor(source, allCharts);
  const { vendored, dropped } = assembleChart(source, into, locate);
  const result = { vendored: [...vendored], dropped: [...dropped] };
  if (depth < 4) {
    for (const name of vendored) {
      const inner = assembleDeep(locate(name), join(into, "charts", name), allCharts, depth + 1);
      result.vendored.push(...inner.vendored);
      result.dropped.push(...inner.dropped);
    }
  }
  return result;
}

function run(command, argv, cwd) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(command, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // The whole process group: chartguard's helm children must not outlive the timeout.
    const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      done({ exit: signal === null ? String(code) : "timeout", stdout, stderr, seconds });
    });
  });
}

function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

function firstErrorLine(result) {
  const line = result.stderr.split("\n").find((text) => text.trim() !== "");
  if (line !== undefined) return oneLine(line);
  try {
    return oneLine(JSON.parse(result.stdout).failed?.[0]?.message);
  } catch {
    return "";
  }
}

function findingRow(name, values, finding) {
  const { kind, namespace, name: objectName } = finding.object;
  const location = finding.location;
  const template = location.template ? `${location.template}:${location.templateLine ?? ""}` : "";
  return [name, values, finding.rule, finding.severity, finding.messageId,
    `${kind}/${namespace ? `${namespace}/` : ""}${objectName}`, finding.path, oneLine(finding.message), template];
}

async function sweepOne({ chart, values }, allCharts) {
  const name = relative(args.charts, chart);
  const scratch = mkdtempSync(join(tmpdir(), "sweep-"));
  try {
    const copy = join(scratch, basename(chart));
    const { vendored, dropped } = assembleDeep(chart, copy, allCharts);
    // A chart that needs nothing vendored is checked where it lies, as in a user's clone (a
    // copy would turn its links to sibling charts' files into links out of the repository).
    const dir = vendored.length + dropped.length === 0 ? chart : copy;
    const cwd = dirname(dir);
    const valuesArgs = values === "default" ? [] : ["-f", join(dir, values)];
    const checked = await run(process.execPath, [join(root, "dist/cli/main.js"), "check", basename(chart), "-o", "json",
      "--no-config", "--helm", args.helm, "--helm-timeout", String(timeoutSeconds), ...valuesArgs], cwd);
    let findings = [];
    try {
      findings = JSON.parse(checked.stdout).findings ?? [];
    } catch {
      // no report: exit 2 or a timeout, told by the exit column
    }
    // helm only classifies a failure: did chartguard refuse what helm renders?
    let helmExit = "-";
    if (checked.exit !== "0" && checked.exit !== "1") {
      const release = releaseNameFor(String(chartMeta(dir).name ?? basename(chart)));
      helmExit = (await run(args.helm, ["template", release, basename(chart), ...valuesArgs], cwd)).exit;
    }
    const errorLine = checked.exit === "0" || checked.exit === "1" ? "" : firstErrorLine(checked);
    const findingLines = findings.map((finding) => tsvLine(["", ...findingRow(name, values, finding)])).join("");
    appendFileSync(join(args.out, "findings.tsv"), findingLines);
    appendFileSync(join(args.out, "results.tsv"),
      tsvLine([name, values, checked.exit, helmExit, checked.seconds, errorLine, [...new Set(dropped)].join(","), dir === chart ? "in place" : "copy"]));
    console.log(`${name} ${values}: exit ${checked.exit} (helm ${helmExit}) ${findings.length} findings ${checked.seconds}s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Rows from an interrupted run into the same folder are kept; those charts are not run again. */
function previousRuns() {
  const results = readTsv(join(args.out, "results.tsv"));
  const done = new Set(results.map((row) => `${row.chart}\t${row.values}`));
  const findings = readTsv(join(args.out, "findings.tsv")).filter((row) => done.has(`${row.chart}\t${row.values}`));
  return { results, findings, done };
}

/** Sorted by chart and values, findings numbered, so a sample drawn from them is reproducible. */
function writeSorted(results, findings) {
  const byRun = (a, b) => a.chart.localeCompare(b.chart) || a.values.localeCompare(b.values);
  results.sort(byRun);
  findings.sort((a, b) => byRun(a, b) || Number(a.n || 0) - Number(b.n || 0));
  findings.forEach((row, index) => (row.n = String(index + 1)));
  writeFileSync(join(args.out, "results.tsv"), tsvLine(RESULT_COLUMNS) + results.map((row) => tsvLine(RESULT_COLUMNS.map((c) => row[c]))).join(""));
  writeFileSync(join(args.out, "findings.tsv"), tsvLine(FINDING_COLUMNS) + findings.map((row) => tsvLine(FINDING_COLUMNS.map((c) => row[c]))).join(""));
}

mkdirSync(args.out, { recursive: true });
const previous = previousRuns();
writeSorted(previous.results, previous.findings);
const only = args.only === undefined ? undefined : new RegExp(args.only);
const allCharts = findCharts(resolve(args.charts)).sort();
const runs = allCharts
  .filter((chart) => chartMeta(chart).type !== "library")
  .filter((chart) => only === undefined || only.test(relative(args.charts, chart)))
  .flatMap(runsOf)
  .filter((entry) => !previous.done.has(`${relative(args.charts, entry.chart)}\t${entry.values}`));
console.log(`${runs.length} runs to do, ${previous.done.size} done before`);
let next = 0;
const worker = async () => {
  while (next < runs.length) await sweepOne(runs[next++], allCharts);
};
await Promise.all(Array.from({ length: Number(args.jobs) }, worker));
const finished = previousRuns();
writeSorted(finished.results, finished.findings);
