// Prints a sweep's results as markdown: runs, exit codes by cause, findings per rule and
// severity, every error finding, and every failure. Reads run.mjs's tables and upgrades.mjs's
// (a run there is a pair of versions, and its findings say whether the upgrade introduced them).
// Usage: node bench/sweep/summarize.mjs DIR > DIR/SUMMARY.md
import { join } from "node:path";
import { readTsv } from "./tsv.mjs";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: summarize.mjs DIR");
const results = readTsv(join(dir, "results.tsv"));
const findings = readTsv(join(dir, "findings.tsv"));
const SEVERITIES = ["error", "warning", "info"];
const upgrades = results.length > 0 && "from-version" in results[0];
/** What tells a chart's runs apart: its values file, or for an upgrade its pair of versions. */
const runOf = (row) => (upgrades ? `${row["from-version"]} → ${row["to-version"]}` : row.values);
const runColumn = upgrades ? "upgrade" : "values";

function table(header, rows) {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

function countBy(rows, key) {
  const counts = new Map();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
}

/** Why a run ended as it did; exit 2 is split by whether helm renders the same inputs. */
function cause(row) {
  if (row.exit === "0") return "0: no error finding";
  if (row.exit === "1") return "1: error findings";
  if (row.exit === "timeout") return "timeout";
  if (row.exit === "2" && upgrades) return "2: no report";
  if (row.exit === "2") return row["helm-exit"] === "0" ? "2, helm renders (chartguard bug)" : "2, helm fails too";
  return `${row.exit}: unexpected`;
}

const cell = (text) => String(text).replace(/\|/g, "\\|");
const short = (text, length = 200) => (text.length > length ? `${text.slice(0, length)}…` : text);
const charts = new Set(results.map((row) => row.chart));
const repos = new Set(results.map((row) => row.chart.split("/")[0]));
const out = [];
out.push(`# Sweep: ${dir}`, "");
out.push(`${results.length} ${upgrades ? "upgrades" : "runs"} of ${charts.size} charts from ${repos.size} repositories; ${findings.length} findings.`);
const copies = results.filter((row) => row.checked === "copy").length;
const dropped = results.filter((row) => row["dropped dependencies"] !== "");
out.push(upgrades
  ? `${dropped.length} runs with dependencies found nowhere in the repository at that commit (left out: a partial view).`
  : `${copies} runs on a copy with dependencies vendored from the same repository; ${dropped.length} of them with dependencies found nowhere (left out: a partial view).`, "");

out.push("## Exit codes by cause", "");
out.push(table(["cause", "runs"], [...countBy(results, cause)].sort().map(([name, count]) => [name, count])), "");

out.push("## Findings per rule and severity", "");
const rules = [...new Set(findings.map((row) => row.rule))].sort();
const ruleRows = rules.map((rule) => {
  const mine = findings.filter((row) => row.rule === rule);
  return [rule, ...SEVERITIES.map((severity) => mine.filter((row) => row.severity === severity).length), mine.length];
});
const totals = SEVERITIES.map((severity) => findings.filter((row) => row.severity === severity).length);
out.push(table(["rule", ...SEVERITIES, "total"], [...ruleRows, ["**total**", ...totals, findings.length]]), "");
if (upgrades) {
  out.push("## Findings by what the upgrade does to them", "");
  const states = [...countBy(findings, (row) => `${row.severity}\t${row.baseline || "(none)"}`)].sort();
  out.push(table(["severity", "baseline", "findings"], states.map(([key, count]) => [...key.split("\t"), count])), "");
}

out.push("## Error findings", "");
const errors = findings.filter((row) => row.severity === "error");
const leftOut = new Map(results.map((row) => [`${row.chart}\t${runOf(row)}`, row["dropped dependencies"]]));
const errorHeader = ["n", "chart", runColumn, "rule", "messageId", "object", "path", "message", ...(upgrades ? ["baseline"] : []), "dependencies left out"];
out.push(errors.length === 0 ? "None." : table(errorHeader, errors.map((row) => [row.n, row.chart, runOf(row), row.rule, row.messageId, row.object,
  row.path, cell(row.message), ...(upgrades ? [row.baseline] : []), leftOut.get(`${row.chart}\t${runOf(row)}`)])), "");

if (!upgrades) {
  out.push("## Exit 2 where helm renders the same inputs", "");
  const bugs = results.filter((row) => row.exit === "2" && row["helm-exit"] === "0");
  out.push(bugs.length === 0 ? "None." : table(["chart", "values", "error"], bugs.map((row) => [row.chart, row.values, cell(row["first error line"])])), "");
}

out.push(upgrades ? "## Exit 2 and timeouts" : "## Exit 2 where helm fails too, and timeouts", "");
const failed = results.filter((row) => (row.exit === "2" && (upgrades || row["helm-exit"] !== "0")) || row.exit === "timeout");
out.push(failed.length === 0 ? "None." : table(["chart", runColumn, "exit", "dependencies left out", "error"],
  failed.map((row) => [row.chart, runOf(row), row.exit, row["dropped dependencies"], cell(short(row["first error line"]))])), "");
console.log(out.join("\n"));
