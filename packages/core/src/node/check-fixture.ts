import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import { TOLERANCE, useBackend, type BackendName } from '../backend.js';
import { checkModule, type Comparison } from '../parity.js';
import { loadFixture, type FixtureFile } from './fixture-file.js';

/** Result of {@link checkFixture}. */
export interface FixtureCheck extends Comparison {
  backend: BackendName;
  params: number;
  fixture: FixtureFile;
}

/**
 * On `backend`: builds a module with `make(meta)`, loads the fixture's state, runs its input in eval mode and
 * compares with its output by the backend's tolerance. Frees the module and the fixture's tensors.
 */
export async function checkFixture(path: string, make: (meta: Record<string, unknown>) => Module<tf.Tensor, any>, backend: BackendName = 'wasm'): Promise<FixtureCheck> {
  await useBackend(backend);
  const fixture = loadFixture(path);
  const module = make(fixture.meta);
  try {
    const result = checkModule(module, fixture, TOLERANCE[backend]);
    return { ...result, backend, params: module.numParams(), fixture };
  } finally {
    module.dispose();
    for (const t of [fixture.input, fixture.output, ...fixture.state.values()]) t.dispose();
  }
}
