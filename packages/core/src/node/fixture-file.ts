import { existsSync, readFileSync } from 'node:fs';
import type { FixtureWithMeta } from '../fixture-check.js';
import { readSafetensors } from './safetensors-file.js';
import { splitFixture } from '../parity.js';

/** A fixture file: `<case>.safetensors` (input, output, state.*) and its `<case>.json`, when there is one. */
export type FixtureFile = FixtureWithMeta & {
  /** The .safetensors file it was read from. */
  path: string;
};

/** Loads `<case>.safetensors` and `<case>.json` beside it. Errors name the file. */
export function loadFixture(path: string): FixtureFile {
  const fixture = splitFixture(readSafetensors(path), path);
  const jsonPath = path.replace(/\.safetensors$/, '.json');
  let meta: Record<string, unknown> = {};
  if (jsonPath !== path && existsSync(jsonPath)) {
    try {
      meta = JSON.parse(readFileSync(jsonPath, 'utf8'));
    } catch (e) {
      throw new Error(`${jsonPath}: not valid JSON (${(e as Error).message})`);
    }
  }
  return { ...fixture, source: path, path, meta };
}
