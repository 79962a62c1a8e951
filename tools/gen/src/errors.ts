/**
 * Bad input or a refused operation: the CLI prints the message alone (no stack) and exits 2. Thrown before
 * anything is written, so a refused command leaves the tree as it was.
 */
export class GenError extends Error {
  override readonly name = 'GenError';
}
