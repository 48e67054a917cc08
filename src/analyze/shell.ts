/**
 * Commands that people paste into a shell. Every value that comes from a chart, a manifest
 * or the command line (names, namespaces, label values, values files) goes in as one shell
 * word, single-quoted when it holds anything but plain characters, so that a value like
 * `y'; touch /tmp/x; echo '` stays an argument and never becomes a command.
 */

/** Text already written for the shell (a quoted word, or several), put into a command as it is. */
export class ShellText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** `word` as one shell word: as it is when that is safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into one command line, each quoted. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellWord).join(" ");
}

/**
 * A command line with every interpolated value quoted as one word (`ShellText` goes in as
 * it is): sh`kubectl delete job ${name}` is `kubectl delete job 'a b'` for the name `a b`.
 */
export function sh(literals: TemplateStringsArray, ...values: readonly (string | number | ShellText)[]): string {
  let line = literals[0] ?? "";
  values.forEach((value, i) => {
    line += value instanceof ShellText ? value.text : shellWord(String(value));
    line += literals[i + 1] ?? "";
  });
  return line;
}

/** A command line written by this module split into its words, each still quoted as written. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let quoted = false;
  for (const char of line) {
    if (char === "'") quoted = !quoted;
    if (char === " " && !quoted) {
      if (word !== "") words.push(word);
      word = "";
    } else {
      word += char;
    }
  }
  if (word !== "") words.push(word);
  return words;
}
