/**
 * Line edits applied to template text, and shown as a unified diff (`git apply` /
 * `patch -p1` read it from the directory the chart path is relative to). Pure.
 */

/** Lines `line` .. `line + count - 1` (1-based) of `file` become `replacement`. */
export interface LineEdit {
  /** Relative to the chart directory, with `/`. */
  file: string;
  line: number;
  count: number;
  replacement: string[];
}

/** Lines of a template without their line ends (a `\r` of a CRLF file stays on its line). */
export function templateLines(text: string): string[] {
  return text.split("\n");
}

/** Lines of context around each change, as `diff -u` gives. */
const CONTEXT = 3;

/** The text with the edits (all of this file, none overlapping) made. */
export function applyEdits(text: string, edits: readonly LineEdit[]): string {
  const lines = templateLines(text);
  for (const edit of [...edits].sort((a, b) => b.line - a.line)) lines.splice(edit.line - 1, edit.count, ...edit.replacement);
  return lines.join("\n");
}

/** The edits of one file as a unified diff; `shownPath` names the file in the `---`/`+++` lines. */
export function unifiedDiff(shownPath: string, text: string, edits: readonly LineEdit[]): string {
  const lines = templateLines(text);
  // A final line end leaves an empty last element: it is not a line of the file.
  const lineCount = lines.at(-1) === "" ? lines.length - 1 : lines.length;
  const sorted = [...edits].sort((a, b) => a.line - b.line);
  const hunks: LineEdit[][] = [];
  for (const edit of sorted) {
    const last = hunks.at(-1)?.at(-1);
    if (last && edit.line - (last.line + last.count) <= 2 * CONTEXT) hunks.at(-1)!.push(edit);
    else hunks.push([edit]);
  }
  const out = [`--- a/${shownPath}`, `+++ b/${shownPath}`];
  let shift = 0; // lines the hunks before this one added (or removed, negative)
  for (const hunk of hunks) {
    const first = hunk[0]!;
    const lastEdit = hunk.at(-1)!;
    const start = Math.max(1, first.line - CONTEXT);
    const end = Math.min(lineCount, lastEdit.line + lastEdit.count - 1 + CONTEXT);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let line = start;
    for (const edit of hunk) {
      for (; line < edit.line; line++, oldCount++, newCount++) body.push(` ${lines[line - 1]}`);
      for (let i = 0; i < edit.count; i++, line++, oldCount++) body.push(`-${lines[line - 1]}`);
      for (const added of edit.replacement) {
        body.push(`+${added}`);
        newCount++;
      }
    }
    for (; line <= end; line++, oldCount++, newCount++) body.push(` ${lines[line - 1]}`);
    const newStart = newCount === 0 ? start + shift - 1 : start + shift;
    out.push(`@@ -${range(oldCount === 0 ? start - 1 : start, oldCount)} +${range(newStart, newCount)} @@`, ...body);
    shift += newCount - oldCount;
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
