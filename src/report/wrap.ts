/** Prose wrapped for a terminal: the rule pages and the text report's explanations. */

/** Word-wraps prose (keeping its own line breaks) with an indent; a word longer than the width stays whole. */
export function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/ +/)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(indent + line);
  }
  return out;
}

/**
 * The same with a label on the first line (`  why: ...`) and the lines after it indented
 * under the text; `labelWidth` is the label's printed width (a coloured label is longer).
 */
export function labelled(label: string, text: string, width: number, labelWidth = label.length): string[] {
  const lines = wrap(text, width, " ".repeat(labelWidth));
  lines[0] = label + lines[0]!.slice(labelWidth);
  return lines;
}
