/** How {@link checkIntArgs} words its error. */
export interface IntArgWording {
  /** Name the argument as `argument 'k'` (Python's wording) instead of a bare `k`. */
  quote?: boolean;
  /** Say `an integer >= 1` instead of `a positive integer` when the minimum is 1. */
  bound?: boolean;
}

/** A value as the error shows it: numbers as written (NaN stays NaN), anything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/**
 * Checks a module's integer constructor arguments before anything is allocated: throws
 * `<owner>: <name> must be a positive integer, got <value>` (or `an integer >= <min>`) for the first value
 * that is not an integer of at least `min` (default 1). `args` maps each argument's name to its value, in the
 * order to check them.
 */
export function checkIntArgs(owner: string, args: Readonly<Record<string, unknown>>, min = 1, wording: IntArgWording = {}): void {
  for (const [name, v] of Object.entries(args)) {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) continue;
    const what = min === 1 && !wording.bound ? 'a positive integer' : `an integer >= ${min}`;
    throw new Error(`${owner}: ${wording.quote ? `argument '${name}'` : name} must be ${what}, got ${show(v)}`);
  }
}
