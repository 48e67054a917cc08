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
    return locatedLine(this);
  }

  /** The lines printed on stderr: one, or one per input for InputErrors. */
  get lines(): string[] {
    return [this.oneLine];
  }
}

/** A flag or argument the CLI cannot accept. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * An input the run could not check (a chart helm could not render), as the report
 * carries it: the InputError that said why, as data.
 */
export interface InputFailure {
  /** The input as the user named it (the chart directory or .tgz). */
  input: string;
  /** Where the error is, when it points into a file (a template line, Chart.yaml). */
  file?: string;
  line?: number;
  message: string;
}

export function inputFailure(input: string, error: InputError): InputFailure {
  return { input, ...(error.file === undefined ? {} : { file: error.file }), ...(error.line === undefined ? {} : { line: error.line }), message: error.message };
}

/**
 * The one line that names a failed input and says why: the error's own line when its
 * file lies in the input (a template of the chart), else prefixed with the input.
 */
export function failureLine(failure: InputFailure): string {
  const line = locatedLine(failure);
  return failure.file !== undefined && failure.file.startsWith(failure.input) ? line : `${failure.input}: ${line}`;
}

/** Every input of the run failed, so there is nothing to report: one line for each. */
export class InputErrors extends InputError {
  constructor(readonly failures: readonly InputFailure[]) {
    const first = failures[0]!;
    super(first.message, first.file, first.line);
    this.name = "InputErrors";
  }

  override get lines(): string[] {
    return this.failures.map(failureLine);
  }
}

function locatedLine(at: { file?: string | undefined; line?: number | undefined; column?: number | undefined; message: string }): string {
  const line = at.line === undefined ? "" : at.column === undefined ? `:${at.line}` : `:${at.line}:${at.column}`;
  const where = at.file === undefined ? "" : `${at.file}${line}: `;
  return `${where}${at.message}`;
}
