/**
 * ultralytics' `from` indices of a YAML row, in one place (the parser checks them, the model resolves them):
 * `-1` is the previous row, other negative entries count back from the row, non-negative ones are absolute row
 * numbers; row 0 reads the model input, written -1.
 */

/** The entries of a row's `from` (one input is written as a number). */
export function fromEntries(from: number | number[]): number[] {
  return Array.isArray(from) ? from : [from];
}

/** The row that `from` entry `f` of row `row` reads; -1 for the model input (row 0's -1). */
export function resolveFrom(f: number, row: number): number {
  return f < 0 ? row + f : f;
}

/** Whether `f` is a valid `from` entry of row `row`: an integer naming an earlier row (row 0: only -1, the input). */
export function isValidFrom(f: unknown, row: number): boolean {
  return Number.isInteger(f) && (row === 0 ? f === -1 : resolveFrom(f as number, row) >= 0 && (f as number) < row);
}
