import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './nn/module.js';
import { TOLERANCE, useBackend, type BackendName } from './backend.js';
import { runFixtureAsync, splitFixture, type Fixture } from './parity.js';
import type { Comparison } from './parity-tally.js';
import { decodeSafetensors } from './state/safetensors.js';

/** A fixture with its JSON sidecar (module name, args, shapes, params). */
export interface FixtureWithMeta extends Fixture {
  /** Where it came from (a path or a name), for messages. */
  source: string;
  /** The JSON sidecar (module, args, shapes, params), or {}. */
  meta: Record<string, unknown>;
}

/** Result of {@link checkFixtureData}. */
export interface FixtureCheck extends Comparison {
  /** The backend the check ran on. */
  backend: BackendName;
  /** Parameters of the module built (to compare with the fixture's `params`). */
  params: number;
  /** The fixture's JSON sidecar. */
  meta: Record<string, unknown>;
  /** The fixture checked (its tensors are already disposed; `meta` and `source` remain useful). */
  fixture: FixtureWithMeta;
}

/** Decodes a fixture from safetensors bytes (works in browsers and Node). */
export function fixtureFromBytes(bytes: Uint8Array, meta: Record<string, unknown> = {}, source = 'fixture'): FixtureWithMeta {
  return { ...splitFixture(decodeSafetensors(bytes, source), source), source, meta };
}

/**
 * On `backend`: builds a module with `make(meta)`, loads the fixture's state, applies `transform` if given (e.g.
 * `deploy`, `reparameterize`), runs its input in eval mode and compares with its output by the backend's
 * tolerance (detection models by the detection rule, see {@link runFixtureAsync}); `params` is counted after the
 * transform. Frees the module and the fixture's tensors.
 */
export async function checkFixtureData(
  fixture: FixtureWithMeta,
  make: (meta: Record<string, unknown>) => Module<tf.Tensor, any>,
  backend: BackendName,
  transform?: (module: Module<tf.Tensor, any>) => void,
): Promise<FixtureCheck> {
  await useBackend(backend);
  // tensors decoded on another backend are read back on this one by tfjs as needed
  const module = make(fixture.meta);
  try {
    module.loadStateDict(fixture.state);
    transform?.(module);
    const result = await runFixtureAsync(module, fixture, TOLERANCE[backend]);
    return { ...result, backend, params: module.numParams(), meta: fixture.meta, fixture };
  } finally {
    module.dispose();
    for (const t of [fixture.input, fixture.output, ...(fixture.outputRaw ? [fixture.outputRaw] : []), ...fixture.state.values()]) t.dispose();
  }
}
