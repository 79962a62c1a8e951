import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@plugconv/core';
import { packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';
import { seeded } from '@plugconv/test-harness/tf-reference';

export { maxAbsDiff, seeded } from '@plugconv/test-harness/tf-reference';

/** Core's blocks and this package's modules; a fixture's module from its json; a config in fixtures/models. */
export const { registry, byMeta, configModel } = packageTestKit(import.meta.url, modules);

/** Gives every parameter and buffer of `m` seeded random values (BN variances positive), so no branch hides behind a zero init. */
export function randomizeState(m: Module<any, any>, seed = 1): void {
  let i = 0;
  for (const [key, slot] of m.namedSlots()) {
    const v = slot.variable;
    const r = seeded(v.shape, seed * 7919 + i++, 0.5);
    const value = key.endsWith('running_var') || key.endsWith('weight_gamma') || key.endsWith('bn.weight') ? tf.add(tf.abs(r), 0.5) : r;
    v.assign(value);
    r.dispose();
    if (value !== r) value.dispose();
  }
}
