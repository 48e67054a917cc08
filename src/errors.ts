/**
 * Errors that end a run with exit code 2: the user's input or invocation is at fault,
 * and one line naming the file (and line) says what to change. Anything else that
 * escapes is a bug in chartguard and is reported as such.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly detail?: string,
    /** 1-based column on `line`, where the error has one (YAML syntax errors). */
    readonly column?: number,
  ) {
    super(message);
    this.name = "InputError";
  }

  /** `file:line[:column]: message`, the one line printed on stderr. */
  get oneLine(): string {
    const line = this.line === undefined ? "" : this.column === undefined ? `:${this.line}` : `:${this.line}:${this.column}`;
    const where = this.file === undefined ? "" : `${this.file}${line}: `;
    return `${where}${this.message}`;
  }
}

/** A flag or argument the CLI cannot accept. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
