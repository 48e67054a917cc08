/**
 * Chart-derived text made safe to show on a terminal (or in a CI log, which interprets
 * terminal escapes too): every control character becomes a visible escape. A name or a
 * label value holding `\e]0;...\a` would otherwise retitle the terminal, `\e[2J` clear it,
 * a carriage return overwrite what a reviewer reads, a bidi override reorder it.
 *
 * Escaped: C0 controls (newline and tab too), DEL, C1 controls, the Unicode line and
 * paragraph separators, and the bidirectional formatting characters.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escaped(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` on one line, every control character shown as an escape (`\n`, `\x1b`, `\u202e`). */
export function visible(text: string): string {
  return text.replace(CONTROL, escaped);
}

/** The same, but line breaks stay: for messages whose own text spans lines. */
export function visibleLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escaped);
}
