/** A usage mistake: a bad option, file or source (the CLI's exit code 2). */
export class UsageError extends Error {
  /** Error name shown in messages. */
  override name = 'UsageError';
}
