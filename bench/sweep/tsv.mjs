// The sweep's two tables, shared by the scripts that write and read them.
import { existsSync, readFileSync } from "node:fs";

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
