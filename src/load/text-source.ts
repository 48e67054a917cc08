/**
 * A document's text read in place, whether it is a string or the UTF-8 bytes a program
 * printed: only what is sliced out is decoded. A CustomResourceDefinition is a megabyte of
 * schemas no rule reads (crd-schemas.ts); decoding it into one string costs more than
 * finding where its schemas end, because V8 gives every string that large its own pages.
 */
export interface TextSource {
  /** In characters, or in bytes. */
  readonly length: number;
  /** The code at `at`: a UTF-16 unit, or a byte (line breaks, spaces and ASCII are the same in both). */
  codeAt(at: number): number;
  /** Where `needle` (ASCII) first occurs at or after `from`, or -1. */
  indexOf(needle: string, from?: number): number;
  /** Where the line at `at` ends: its line break, or the end of the text. */
  lineEnd(at: number): number;
  /** The text between two offsets (line boundaries, for bytes), decoded. */
  slice(start: number, end?: number): string;
}

export function textSource(text: string): TextSource {
  return {
    length: text.length,
    codeAt: (at) => text.charCodeAt(at),
    indexOf: (needle, from) => text.indexOf(needle, from),
    lineEnd: (at) => {
      const newline = text.indexOf("\n", at);
      return newline === -1 ? text.length : newline;
    },
    slice: (start, end) => text.slice(start, end),
  };
}

export function bytesSource(bytes: Buffer): TextSource {
  return {
    length: bytes.length,
    codeAt: (at) => bytes[at] ?? NaN,
    indexOf: (needle, from) => bytes.indexOf(needle, from, "latin1"),
    lineEnd: (at) => {
      const newline = bytes.indexOf(10, at);
      return newline === -1 ? bytes.length : newline;
    },
    slice: (start, end) => bytes.toString("utf8", start, end),
  };
}
