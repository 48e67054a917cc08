// Runs the compiled chartguard CLI over every chart under --charts, as a user would run
// `chartguard check CHART`, and writes one row per run and one row per finding.
// Usage: node bench/sweep/run.mjs --charts /work/charts --out DIR [--jobs 2] [--only REGEX] [--values ci]
//        [--mirrors DIR] [--helm PATH] [--timeout SECONDS]
import { appendFileSync, existsSync, mkdtempSync, readdirSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { assembleDeep, chartMeta, findCharts, findingCells, firstErrorLine, reportFindings, run } from "./common.mjs";
import { FINDING_COLUMNS, RESULT_COLUMNS, inPool, previousRuns, tsvLine, writeSorted } from "./tsv.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { releaseNameFor } = await import(join(root, "dist/render/request.js"));

const { values: args } = parseArgs({
  options: {
    charts: { type: "string", default: "/work/charts" },
    mirrors: { type: "string", default: "/work/.mirror" },
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

/** The runs of one chart: its default values, or each of its ci/*.yaml files (not dotfiles: ci/.chartsnap.yaml configures a tool, it holds no values). */
function runsOf(chart) {
  if (args.values === "default") return [{ chart, values: "default" }];
  const ci = join(chart, "ci");
  if (!existsSync(ci)) return [];
  return readdirSync(ci)
    .filter((name) => /\.ya?ml$/.test(name) && !name.startsWith("."))
    .sort()
    .map((name) => ({ chart, values: `ci/${name}` }));
}

async function sweepOne({ chart, values }, allCharts) {
  const name = relative(args.charts, chart);
  const scratch = mkdtempSync(join(tmpdir(), "sweep-"));
  try {
    const copy = join(scratch, basename(chart));
    const { vendored, dropped } = assembleDeep(chart, copy, allCharts, args.charts, existsSync(args.mirrors) ? args.mirrors : undefined);
    // A chart that needs nothing vendored is checked where it lies, as in a user's clone (a
    // copy would turn its links to sibling charts' files into links out of the repository).
    const dir = vendored.length + dropped.length === 0 ? chart : copy;
    const cwd = dirname(dir);
    const valuesArgs = values === "default" ? [] : ["-f", join(dir, values)];
    const checked = await run(process.execPath, [join(root, "dist/cli/main.js"), "check", basename(chart), "-o", "json",
      "--no-config", "--helm", args.helm, "--helm-timeout", String(timeoutSeconds), ...valuesArgs], cwd, timeoutSeconds);
    const findings = reportFindings(checked);
    // helm only classifies a failure: did chartguard refuse what helm renders?
    let helmExit = "-";
    if (checked.exit !== "0" && checked.exit !== "1") {
      const release = releaseNameFor(String(chartMeta(dir).name ?? basename(chart)));
      helmExit = (await run(args.helm, ["template", release, basename(chart), ...valuesArgs], cwd, timeoutSeconds)).exit;
    }
    const errorLine = checked.exit === "0" || checked.exit === "1" ? "" : firstErrorLine(checked);
    const findingLines = findings.map((finding) => tsvLine(["", name, values, ...findingCells(finding)])).join("");
    appendFileSync(join(args.out, "findings.tsv"), findingLines);
    appendFileSync(join(args.out, "results.tsv"),
      tsvLine([name, values, checked.exit, helmExit, checked.seconds, errorLine, [...new Set(dropped)].join(","), dir === chart ? "in place" : "copy"]));
    console.log(`${name} ${values}: exit ${checked.exit} (helm ${helmExit}) ${findings.length} findings ${checked.seconds}s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

mkdirSync(args.out, { recursive: true });
const runKey = (row) => `${row.chart}\t${row.values}`;
const tables = { out: args.out, key: runKey, resultColumns: RESULT_COLUMNS, findingColumns: FINDING_COLUMNS };
const previous = previousRuns(tables);
writeSorted(tables, previous);
const only = args.only === undefined ? undefined : new RegExp(args.only);
const allCharts = findCharts(resolve(args.charts)).sort();
const runs = allCharts
  .filter((chart) => chartMeta(chart).type !== "library")
  .filter((chart) => only === undefined || only.test(relative(args.charts, chart)))
  .flatMap(runsOf)
  .filter((entry) => !previous.done.has(runKey({ chart: relative(args.charts, entry.chart), values: entry.values })));
console.log(`${runs.length} runs to do, ${previous.done.size} done before`);
await inPool(runs, Number(args.jobs), (entry) => sweepOne(entry, allCharts));
writeSorted(tables, previousRuns(tables));
