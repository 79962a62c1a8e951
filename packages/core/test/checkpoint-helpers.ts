import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CheckpointError } from '../src/index.js';

/** Path of a file in packages/core/fixtures/checkpoints. */
export const checkpointPath = (name: string) => fileURLToPath(new URL(`../fixtures/checkpoints/${name}`, import.meta.url));

/** Bytes of a file in packages/core/fixtures/checkpoints. */
export const checkpointBytes = (name: string) => new Uint8Array(readFileSync(checkpointPath(name)));

/** The CheckpointError `read` throws (the test fails when it throws nothing or something else). */
export function caught(read: () => unknown): CheckpointError {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('no error was thrown');
}
