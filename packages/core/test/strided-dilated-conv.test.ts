import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff, referenceConv2d, referenceConvGrads, seeded } from '@plugconv/test-harness/tf-reference';
import { conv2dExact, kernelLayout, phaseTaps, pickConvStrategy, useBackend, type DilationMode } from '../src/index.js';

describe('phaseTaps', () => {
  it('stride 2, dilation 3: taps 0 and 2 read phase 0 (offsets 0, 3), tap 1 reads phase 1 (offset 1)', () => {
    expect(phaseTaps(3, 2, 3)).toEqual([
      { phase: 0, firstTap: 0, tapStep: 2, count: 2, offset: 0, dilation: 3 },
      { phase: 1, firstTap: 1, tapStep: 2, count: 1, offset: 1, dilation: 3 },
    ]);
  });
  it('dilation a multiple of the stride reads one phase at dilation d/s (stride 2, dilation 6 -> 3)', () => {
    expect(phaseTaps(3, 2, 6)).toEqual([{ phase: 0, firstTap: 0, tapStep: 1, count: 3, offset: 0, dilation: 3 }]);
  });
  it('every tap is read once, at padded index s*offset + phase = d*t', () => {
    for (const [k, s, d] of [[3, 2, 3], [5, 3, 2], [3, 3, 6], [7, 4, 6], [1, 2, 3], [3, 4, 5]] as const) {
      const taps = phaseTaps(k, s, d).flatMap((p) => Array.from({ length: p.count }, (_, j) => ({ t: p.firstTap + j * p.tapStep, at: s * (p.offset + j * p.dilation) + p.phase })));
      expect(taps.map((x) => x.t).sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, t) => t));
      for (const { t, at } of taps) expect(at).toBe(d * t);
    }
  });
});

// (cin, cout, groups): dense, split (2 groups), grouped-sum (6 groups), depthwise (multiplier 2)
const GROUPINGS: [number, number, number][] = [
  [6, 8, 1],
  [6, 8, 2],
  [12, 12, 6],
  [4, 8, 4],
];
// (k, stride, dilation, padding) incl. SAConv's large branches (d 3 and 6 at stride 2) and unpadded / odd cases
const GEOMETRIES: [number, number, number, number][] = [
  [3, 2, 3, 3],
  [3, 2, 6, 6],
  [3, 2, 2, 2],
  [3, 1, 2, 2],
  [3, 1, 6, 6],
  [3, 3, 2, 1],
  [5, 2, 3, 6],
  [1, 2, 3, 0],
  [3, 2, 1, 1],
];

describe.each(['cpu', 'wasm'] as const)('conv2dExact (stride+dilation methods, dilation modes) on %s equals a stride-1 reference conv then a manual subsample', (backend) => {
  it.each(GROUPINGS)('cin %i, cout %i, groups %i, every geometry, odd sizes', async (cin, cout, groups) => {
    await useBackend(backend);
    const strategy = pickConvStrategy(cin, groups);
    for (const [k, s, d, p] of GEOMETRIES) {
      for (const [h, w] of [[13, 11], [16, 9]] as const) {
        tf.tidy(() => {
          const x = seeded([2, h, w, cin], 11 * h + w + k) as tf.Tensor4D;
          const wt = seeded([cout, cin / groups, k, k], 3 * k + s + d) as tf.Tensor4D;
          const internal = kernelLayout(cin, cout, k, groups, strategy).layout.fromTorch(wt) as tf.Tensor4D;
          const g = { stride: s, padding: p, dilation: d, groups };
          const ref = referenceConv2d(x, wt, s, p, d, groups);
          for (const dilation of ['native', 'space-to-batch'] as DilationMode[]) {
            for (const method of ['polyphase', 'subsample'] as const) {
              const y = conv2dExact(x, internal, g, strategy, { stridedDilation: method, dilationMode: dilation });
              const where = `${strategy} k${k} s${s} d${d} p${p} ${h}x${w} ${method} ${dilation}`;
              expect(y.shape, where).toEqual(ref.shape);
              expect(maxAbsDiff(y, ref), where).toBeLessThan(2e-5);
            }
          }
        });
      }
    }
  });

  it('conv2dExact sizes a non-square dilated kernel per axis (tfjs numeric pad 0 uses the kernel height for both)', async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const x = seeded([1, 13, 10, 4], 5) as tf.Tensor4D;
      const f = seeded([2, 1, 4, 5], 6) as tf.Tensor4D;
      expect(conv2dExact(x, f, { stride: 1, padding: 0, dilation: 3, groups: 1 }, 'dense').shape).toEqual([1, 10, 10, 5]);
    });
  });
});

describe('gradients through dilated and strided-dilated convs (cpu; tfjs has none for dilation > 1)', () => {
  // (stride, dilation, padding, groups): SAConv's large branches at stride 1 and 2, plus grouped and odd cases
  const cases: [number, number, number, number][] = [
    [1, 3, 3, 1],
    [2, 3, 3, 1],
    [2, 6, 6, 2],
    [2, 2, 2, 4],
    [3, 2, 1, 1],
  ];
  it.each(cases)('stride %i, dilation %i, padding %i, groups %i: both methods match direct-loop gradients for x and W', async (s, d, p, groups) => {
    await useBackend('cpu');
    const cin = 4;
    const cout = 8;
    const strategy = pickConvStrategy(cin, groups);
    const x = seeded([2, 13, 11, cin], 1) as tf.Tensor4D;
    const wt = seeded([cout, cin / groups, 3, 3], 2) as tf.Tensor4D;
    const g = { stride: s, padding: p, dilation: d, groups };
    const [ho, wo] = referenceConv2d(x, wt, s, p, d, groups).shape.slice(1);
    const r = seeded([2, ho!, wo!, cout], 3) as tf.Tensor4D;
    const ref = referenceConvGrads(x, wt, r, s, p, d, groups);
    const layout = kernelLayout(cin, cout, 3, groups, strategy).layout;
    for (const method of ['polyphase', 'subsample'] as const) {
      // the kernel is differentiated in PyTorch layout, as SAConv2d holds it
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(conv2dExact(a as tf.Tensor4D, layout.fromTorch(b) as tf.Tensor4D, g, strategy, { stridedDilation: method }), r)),
      )([x, wt]);
      expect(maxAbsDiff(dx!, ref.dx), `${method} dx`).toBeLessThan(1e-4);
      expect(maxAbsDiff(dw!, ref.dw), `${method} dW`).toBeLessThan(1e-4);
    }
  });
});
