// The sweeps' tables, shared by the scripts that write and read them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RESULT_COLUMNS = ["chart", "values", "exit", "helm-exit", "seconds", "first error line", "dropped dependencies", "checked"];
export const FINDING_COLUMNS = ["n", "chart", "values", "rule", "severity", "messageId", "object", "path", "message", "template"];

/** One row; tabs and line breaks inside a cell become spaces so each row stays one line. */
export function tsvLine(cells) {
  return `${cells.map((cell) => String(cell ?? "").replace(/[\t\r\n]+/g, " ")).join("\t")}\n`;
}

/** Rows as objects keyed by the header line; a missing file has none. */
export function readTsv(file) {
  if (!existsSync(file)) return [];
  const [header, ...lines] = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
  const columns = header.split("\t");
  return lines.map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? ""]));
  });
}

/**
 * Rows from an interrupted run into the same folder are kept, and their runs are not done
 * again. `tables`: { out, key (a row's run), resultColumns, findingColumns }.
 */
export function previousRuns(tables) {
  const results = readTsv(join(tables.out, "results.tsv"));
  const done = new Set(results.map(tables.key));
  const findings = readTsv(join(tables.out, "findings.tsv")).filter((row) => done.has(tables.key(row)));
  return { results, findings, done };
}

/** Sorted by run, findings numbered, so a sample drawn from them is reproducible. */
export function writeSorted(tables, { results, findings }) {
  const byRun = (a, b) => tables.key(a).localeCompare(tables.key(b));
  results.sort(byRun);
  findings.sort((a, b) => byRun(a, b) || Number(a.n || 0) - Number(b.n || 0));
  findings.forEach((row, index) => (row.n = String(index + 1)));
  const write = (name, columns, rows) =>
    writeFileSync(join(tables.out, name), tsvLine(columns) + rows.map((row) => tsvLine(columns.map((c) => row[c]))).join(""));
  write("results.tsv", tables.resultColumns, results);
  write("findings.tsv", tables.findingColumns, findings);
}

/** Runs `work` over `items`, `jobs` at a time. */
export async function inPool(items, jobs, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/** The upgrade sweep's: one row per pair of versions, the version pair and the baseline state on each finding. */
export const UPGRADE_RESULT_COLUMNS = ["chart", "from-version", "to-version", "from-commit", "to-commit", "exit", "seconds",
  "first error line", "dropped dependencies"];
export const UPGRADE_FINDING_COLUMNS = [...FINDING_COLUMNS, "from-version", "to-version", "baseline"];
