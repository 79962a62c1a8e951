import { existsSync, readFileSync } from 'node:fs';
import { splitFixture, type Fixture } from '../parity.js';
import { readSafetensors } from './safetensors-file.js';

/** A fixture file with its JSON sidecar (module name, args, shapes, params), when there is one. */
export interface FixtureFile extends Fixture {
  path: string;
  meta: Record<string, unknown>;
}

/** Loads `<case>.safetensors` (input, output, state.*) and `<case>.json` beside it. Errors name the file. */
export function loadFixture(path: string): FixtureFile {
  const tensors = readSafetensors(path);
  const fixture = splitFixture(tensors, path);
  const jsonPath = path.replace(/\.safetensors$/, '.json');
  let meta: Record<string, unknown> = {};
  if (jsonPath !== path && existsSync(jsonPath)) {
    try {
      meta = JSON.parse(readFileSync(jsonPath, 'utf8'));
    } catch (e) {
      throw new Error(`${jsonPath}: not valid JSON (${(e as Error).message})`);
    }
  }
  return { ...fixture, path, meta };
}
