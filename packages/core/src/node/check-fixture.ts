import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { useBackend, type BackendName } from '../backend.js';
import { checkFixtureData, type FixtureCheck } from '../fixture-check.js';
import { loadFixture } from './fixture-file.js';

/**
 * {@link checkFixtureData} for a fixture file (`<case>.safetensors` with `<case>.json` beside it): builds a module
 * with `make(meta)` on `backend`, loads the state, runs eval and compares by the backend's tolerance.
 */
export async function checkFixture(
  path: string,
  make: (meta: Record<string, unknown>) => Module<tf.Tensor, any>,
  backend: BackendName = 'wasm',
  transform?: (module: Module<tf.Tensor, any>) => void,
): Promise<FixtureCheck> {
  await useBackend(backend);
  return checkFixtureData(loadFixture(path), make, backend, transform);
}
