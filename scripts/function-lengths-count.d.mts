export interface FunctionLength {
  /** `file:line` of the declaration. */
  where: string;
  name: string;
  lines: number;
}

export function functionLengths(roots: readonly string[], base?: string): FunctionLength[];
export function functionLengthLine(f: FunctionLength): string;
