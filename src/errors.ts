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
  ) {
    super(message);
    this.name = "InputError";
  }

  /** `file:line: message`, the one line printed on stderr. */
  get oneLine(): string {
    const where = this.file === undefined ? "" : this.line === undefined ? `${this.file}: ` : `${this.file}:${this.line}: `;
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
