import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@plugconv/core';
import { reflectPad2d } from '../src/index.js';
import { referenceReflectIndex } from './reference.js';
import { maxAbsDiff, seeded } from './helpers.js';

describe.each(['cpu', 'wasm'] as const)('reflectPad2d on %s', (backend) => {
  it.each([
    [3, 3, 2],
    [5, 4, 2],
    [7, 9, 1],
  ])('%ix%i by %i equals tfjs mirrorPad reflect (= PyTorch reflect)', async (h, w, p) => {
    await useBackend(backend);
    tf.tidy(() => {
      const x = seeded([2, h, w, 3], h * w) as tf.Tensor4D;
      const ours = reflectPad2d(x, p);
      const theirs = tf.mirrorPad(x, [[0, 0], [p, p], [p, p], [0, 0]], 'reflect');
      expect(ours.shape).toEqual([2, h + 2 * p, w + 2 * p, 3]);
      expect(maxAbsDiff(ours, theirs)).toBe(0);
    });
  });
});

describe('reflectPad2d gradient (cpu)', () => {
  it('accumulates every reflected copy back onto its source (tfjs 4.22 MirrorPad grad only keeps the centre)', async () => {
    await useBackend('cpu');
    const [h, w, c, p] = [5, 4, 2, 2];
    const x = seeded([1, h, w, c], 1) as tf.Tensor4D;
    const r = seeded([1, h + 2 * p, w + 2 * p, c], 2);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reflectPad2d(a as tf.Tensor4D, p), r)))(x);
    const rv = r.dataSync();
    const expected = new Float32Array(h * w * c);
    for (let i = 0; i < h + 2 * p; i++)
      for (let j = 0; j < w + 2 * p; j++)
        for (let k = 0; k < c; k++) {
          const si = referenceReflectIndex(i - p, h);
          const sj = referenceReflectIndex(j - p, w);
          expected[(si * w + sj) * c + k] += rv[(i * (w + 2 * p) + j) * c + k]!;
        }
    expect(maxAbsDiff(dx, tf.tensor4d(expected, [1, h, w, c]))).toBeLessThan(1e-5);
  });

  it('rejects a map no larger than the padding, naming the caller', () => {
    expect(() => reflectPad2d(tf.zeros([1, 2, 8, 1]) as tf.Tensor4D, 2, 'layer X')).toThrow('layer X: a 2x8 feature map is too small for reflect padding 2 (needs height and width of at least 3)');
  });
});
