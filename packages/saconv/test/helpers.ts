import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@plugconv/core';
import { packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

export { maxAbsDiff } from '@plugconv/test-harness/node';

/** Core's blocks and this package's modules; a fixture's module from its json; a config in fixtures/models. */
export const { registry, byMeta, configModel } = packageTestKit(import.meta.url, modules);

/** Deterministic values in [-a, a) (a small LCG, so tests do not depend on tfjs's random streams). */
export function seeded(shape: number[], seed: number, a = 1): tf.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((x, y) => x * y, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = ((s / 2 ** 32) * 2 - 1) * a;
  }
  return tf.tensor(v, shape);
}

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
