/** A command-line mistake (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}
