import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@plugconv/core';
import { C2f_DSConv, DSConv2D, straightThrough } from '../src/index.js';
import { maxAbsDiff, randomizeBatchNorms, referenceConv, referenceQuantize, seeded } from './helpers.js';

// wasm has no conv backprop: training runs on cpu
beforeAll(() => useBackend('cpu'));

describe('straight-through gradients', () => {
  it('straightThrough returns forward(x) and passes dy to x unchanged', () => {
    const x = tf.variable(tf.tensor1d([0.2, -1.7, 2.5]));
    const w = tf.tensor1d([1, 2, 3]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(straightThrough(x, (t) => tf.round(t)), w)) as tf.Scalar, [x]);
    expect(value.dataSync()[0]).toBe(0 * 1 + -2 * 2 + 2 * 3);
    expect(Array.from(grads[x.name]!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([x, w, value, grads[x.name]!]);
  });

  it.each([
    ['3x3, 4 bits, 40 input channels (blocks 32 + 8)', 40, 16, 3, 1, 1, 4, 32],
    ['3x3 stride 2, groups 2, 3 bits, block 3', 12, 8, 3, 2, 2, 3, 3],
  ])('%s: conv.weight gets the gradient of the quantised kernel (train mode)', (_, c1, c2, k, s, g, bits, block) => {
    const m = new DSConv2D(c1, c2, k, s, null, g, 1, true, bits, block);
    randomizeBatchNorms(m, 4);
    m.train();
    const sd = m.stateDict();
    const w = sd.get('conv.weight')!;
    const q = referenceQuantize(w.dataSync() as Float32Array, w.shape, bits, block);
    const ref = referenceConv(c1, c2, k, s, g, 1, sd, tf.tensor(q.kernel, w.shape)).train();
    const x = seeded([2, 9, 9, c1], 21);
    const r = seeded([2, Math.floor((9 + 2 - 3) / s) + 1, Math.floor((9 + 2 - 3) / s) + 1, c2], 22);
    const loss = (mod: DSConv2D | typeof ref) => () => tf.sum(tf.mul(mod.forward(x), r)) as tf.Scalar;
    const dsVar = m.conv.weight;
    const refVar = ref.conv.weight;
    const a = tf.variableGrads(loss(m), [dsVar]);
    const b = tf.variableGrads(loss(ref), [refVar]);
    const ga = a.grads[dsVar.name]!;
    const gb = b.grads[refVar.name]!;
    // the same loss (forward uses the quantised kernel) and the same gradient (straight through the rounding)
    expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!)).toBeLessThan(1e-3 * Math.abs(b.value.dataSync()[0]!) + 1e-4);
    expect(tf.tidy(() => tf.max(tf.abs(ga)).dataSync()[0]!)).toBeGreaterThan(0);
    expect(maxAbsDiff(ga, gb)).toBeLessThan(1e-4 * Math.max(1, tf.tidy(() => tf.max(tf.abs(gb)).dataSync()[0]!)));
    tf.dispose([x, r, a.value, b.value, ga, gb, ...sd.values()]);
    m.dispose();
    ref.dispose();
  });

  it('every parameter of a C2f_DSConv gets a gradient and an SGD step changes the quantised output', () => {
    const m = new C2f_DSConv(16, 16, 2, true, 1, 0.5, 4, 8).train();
    const x = seeded([2, 8, 8, 16], 5);
    const vars = m.trainableVariables();
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.forward(x))) as tf.Scalar, vars);
    const weightKeys = m.namedParameters().filter(([k]) => k.endsWith('conv.weight'));
    expect(weightKeys.length).toBe(2 + 2 * 2);
    for (const [key, v] of m.namedParameters()) {
      const g = grads[v.name];
      expect(g, key).toBeDefined();
      expect(tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]!), key).toBeGreaterThan(0);
    }
    m.eval();
    const before = tf.tidy(() => m.forward(x));
    tf.train.sgd(0.5).applyGradients(grads);
    const after = tf.tidy(() => m.forward(x));
    expect(maxAbsDiff(before, after)).toBeGreaterThan(0);
    tf.dispose([value, before, after, ...Object.values(grads)]);
    m.dispose();
  });
});
