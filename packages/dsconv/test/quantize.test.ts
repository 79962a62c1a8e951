import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, parseYoloConfig, useBackend } from '@plugconv/core';
import { DSConv, DSConv2D, dequantizeKernel, quantizeKernel, setQuantization, C2f_DSConv } from '../src/index.js';
import { expectNoLeak } from '@plugconv/test-harness/node';
import { maxAbsDiff, randomizeBatchNorms, referenceConv, referenceQuantize, registry, seeded } from './helpers.js';

beforeAll(() => useBackend('wasm'));

describe('quantizeKernel (VQK/KDS)', () => {
  it.each([
    [8, 32, [6, 16, 3, 3]],
    [4, 32, [5, 40, 3, 3]], // 40 input channels: blocks of 32 and 8
    [2, 8, [4, 19, 1, 1]], // blocks 8, 8, 3
    [3, 5, [3, 7, 5, 5]],
    [6, 1, [2, 4, 3, 3]], // block 1: every weight is its own group
  ])('bits %i block %i on [%s] equals the scalar reference', (bits, block, shape) => {
    const w = seeded(shape as number[], 7 + bits) as tf.Tensor4D;
    const { codes, alpha } = quantizeKernel(w, bits, block);
    const ref = referenceQuantize(w.dataSync() as Float32Array, shape as number[], bits, block);
    const half = 2 ** (bits - 1);
    const c = codes.dataSync();
    expect(Array.from(c, (x) => x + 0)).toEqual(Array.from(ref.codes, (x) => x + 0));
    expect(Math.min(...c)).toBeGreaterThanOrEqual(-half);
    expect(Math.max(...c)).toBeLessThanOrEqual(half - 1);
    expect(alpha.shape).toEqual([shape[0], Math.ceil(shape[1]! / block), shape[2], shape[3]]);
    const a = alpha.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - ref.alpha[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(ref.alpha[i]!));
    const k = dequantizeKernel(codes, alpha, block);
    // quantisation really happens and stays close to the float kernel (block 1: one weight per group, lossless)
    const err = maxAbsDiff(k, w);
    if (block === 1) expect(err).toBeLessThan(1e-6);
    else expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(bits === 2 ? 1 : 0.2);
    tf.dispose([w, codes, alpha, k]);
  });

  it('the largest weight of each group maps to -2^(b-1) exactly', () => {
    const w = tf.tensor4d([0.5, -0.25, 0.1, -1, 0.2, 0.3], [2, 3, 1, 1]);
    const { codes, alpha } = quantizeKernel(w, 4, 32);
    // o=0: e=0.5, s=-16: [-8, 4, -1.6->-2]; o=1: e=-1, s=8: [-8, 1.6->2, 2.4->2]
    expect(Array.from(codes.dataSync())).toEqual([-8, 4, -2, -8, 2, 2]);
    tf.dispose([w, codes, alpha]);
  });

  it('rounds half to even, as PyTorch (s*v = -94.5 in float32 gives -94)', () => {
    // the DSConv2D_16_32_k3_b8 fixture has this case: e = 0.19780862, v = 0.14604; in float32 s*v is exactly -94.5
    const e = Math.fround(0.19780862);
    const s = Math.fround(-128 / e);
    const v = Math.fround(-94.5 / s);
    expect(Math.fround(s * v)).toBe(-94.5);
    const w = tf.tensor4d([e, v], [1, 2, 1, 1]);
    const { codes, alpha } = quantizeKernel(w, 8, 32);
    expect(Array.from(codes.dataSync())).toEqual([-128, -94]);
    tf.dispose([w, codes, alpha]);
  });

  it('an all-zero group gets I = 0 and alpha = 0 (no NaN), other groups are untouched', () => {
    // O=2, I=4, 1x2 kernel, block 2: group (o=0, block 1, kx=1) is all zero, so is the whole of o=1, block 0
    const data = [0.3, -0.2, /* c1 */ 0.1, 0.4, /* c2 */ 0.5, 0, /* c3 */ -0.6, 0, /* o=1 */ 0, 0, 0, 0, 0.2, 0.1, 0.3, -0.7];
    const w = tf.tensor4d(data, [2, 4, 1, 2]);
    const { codes, alpha } = quantizeKernel(w, 8, 2);
    const a = alpha.dataSync();
    expect(Array.from(a).every(Number.isFinite)).toBe(true);
    // alpha (O=2, nb=2, 1, 2): [o0b0kx0, o0b0kx1, o0b1kx0, o0b1kx1, o1b0kx0, o1b0kx1, ...]
    expect(a[3]).toBe(0);
    expect(a[4]).toBe(0);
    expect(a[5]).toBe(0);
    const c = codes.dataSync();
    expect([c[5], c[7], c[8], c[9], c[10], c[11]].map((x) => x! + 0)).toEqual([0, 0, 0, 0, 0, 0]);
    const ref = referenceQuantize(w.dataSync() as Float32Array, [2, 4, 1, 2], 8, 2);
    expect(Array.from(c, (x) => x + 0)).toEqual(Array.from(ref.codes, (x) => x + 0));
    tf.dispose([w, codes, alpha]);
  });

  it('an all-zero kernel gives a finite output (BN of zero)', () => {
    const m = new DSConv2D(4, 6, 3).eval();
    m.conv.weight.assign(tf.zeros(m.conv.weight.shape));
    const y = tf.tidy(() => m.forward(seeded([1, 5, 5, 4], 3)));
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(y, tf.zerosLike(y))).toBe(0); // BN defaults: (0 - 0)/sqrt(1+eps)*1 + 0 = 0, SiLU(0) = 0
    tf.dispose(y);
    m.dispose();
  });

  it('rejects bad options with errors naming the argument', () => {
    expect(() => new DSConv2D(4, 8, 3, 1, null, 1, 1, true, 1)).toThrow(/DSConv2D\(4, 8, k=3\): argument 'bits' must be 0 .* or an integer from 2 to 8, got 1/);
    expect(() => new DSConv2D(4, 8, 3, 1, null, 1, 1, true, 9)).toThrow(/'bits'/);
    expect(() => new DSConv2D(4, 8, 3, 1, null, 1, 1, true, 8, 0)).toThrow(/argument 'block' must be a positive integer/);
    expect(() => new C2f_DSConv(8, 8, 1, false, 1, 0.5, 4.5)).toThrow(/C2f_DSConv\(8, 8, n=1\): argument 'bits'/);
    const m = new DSConv2D(4, 8, 3);
    expect(() => setQuantization(m, { bits: 12 })).toThrow(/setQuantization: argument 'bits'/);
    expect(() => m.forward(tf.zeros([1, 5, 5, 3]))).toThrow(/DSConv\(4->8\): expected NHWC input with 4 channels, got \[1,5,5,3\]/);
    m.dispose();
  });
});

describe('DSConv2D against a plain Conv carrying the reference quantised kernel', () => {
  // [c1, c2, k, s, g, d, bits, block, input H, W]
  const cases: [string, number[]][] = [
    ['dense 3x3', [16, 32, 3, 1, 1, 1, 8, 32, 9, 9]],
    ['input channels not a multiple of block (40 = 32 + 8)', [40, 16, 3, 1, 1, 1, 4, 32, 7, 7]],
    ['groups 2 (split), blocks inside each group (8 = 3 + 3 + 2)', [16, 8, 3, 1, 2, 1, 4, 3, 8, 8]],
    ['groups 8 (grouped-sum)', [32, 16, 3, 1, 8, 1, 5, 2, 6, 6]],
    ['depthwise (g = c1)', [8, 16, 3, 1, 8, 1, 8, 32, 6, 6]],
    ['dilation 2', [8, 16, 3, 1, 1, 2, 6, 4, 9, 9]],
    ['stride 2 on an odd input (11x13)', [8, 16, 3, 2, 1, 1, 3, 32, 11, 13]],
    ['stride 2 with dilation 2 on an odd input', [8, 12, 3, 2, 2, 2, 4, 2, 11, 9]],
    ['1x1, 2 bits', [24, 8, 1, 1, 1, 1, 2, 16, 5, 5]],
  ];
  it.each(cases)('%s', (_, [c1, c2, k, s, g, d, bits, block, h, w]) => {
    const m = new DSConv2D(c1!, c2!, k!, s!, null, g!, d!, true, bits!, block!);
    randomizeBatchNorms(m, 100);
    m.eval();
    const sd = m.stateDict();
    const wt = sd.get('conv.weight')!;
    const ref = referenceQuantize(wt.dataSync() as Float32Array, wt.shape, bits!, block!);
    const conv = referenceConv(c1!, c2!, k!, s!, g!, d!, sd, tf.tensor(ref.kernel, wt.shape)).eval();
    const x = seeded([2, h!, w!, c1!], 11);
    const y = tf.tidy(() => m.forward(x));
    const yRef = tf.tidy(() => conv.forward(x));
    expect(y.shape).toEqual(yRef.shape);
    if (s === 2 && h === 11 && w === 13) expect(y.shape).toEqual([2, 6, 7, c2]);
    expect(maxAbsDiff(y, yRef)).toBeLessThan(1e-5);
    // and it differs from the float model (quantisation is on), except depthwise: one weight per group is exact
    setQuantization(m, { bits: 0 });
    const yFloat = tf.tidy(() => m.forward(x));
    if (g !== c1) expect(maxAbsDiff(y, yFloat)).toBeGreaterThan(1e-6);
    else expect(maxAbsDiff(y, yFloat)).toBeLessThan(1e-5);
    tf.dispose([x, y, yRef, yFloat, ...sd.values()]);
    m.dispose();
    conv.dispose();
  });

  it('bits 0 is a plain convolution', () => {
    const m = new DSConv2D(8, 8, 3, 2, null, 2, 1, true, 0).eval();
    const sd = m.stateDict();
    const conv = referenceConv(8, 8, 3, 2, 2, 1, sd, sd.get('conv.weight')!).eval();
    const x = seeded([1, 7, 7, 8], 5);
    expect(maxAbsDiff(tf.tidy(() => m.forward(x)), tf.tidy(() => conv.forward(x)))).toBe(0);
    m.dispose();
    conv.dispose();
  });

  it('fuse() keeps the eval output (quantised kernel and BN folded into one plain conv)', () => {
    const m = new C2f_DSConv(16, 24, 2, true, 1, 0.5, 4, 8);
    randomizeBatchNorms(m, 3);
    m.eval();
    const x = seeded([1, 8, 8, 16], 9);
    const before = tf.tidy(() => m.forward(x));
    for (const [, child] of m.namedModules()) if (child instanceof DSConv2D) child.fuse();
    const after = tf.tidy(() => m.forward(x));
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-4);
    expect(m.namedModules().filter(([, c]) => c instanceof DSConv).every(([, c]) => (c as DSConv).bits === 0)).toBe(true);
    m.dispose();
  });

  it('holds no tensors across repeated forwards', () => {
    const m = new C2f_DSConv(16, 16, 1, true).eval();
    const x = seeded([1, 8, 8, 16], 1);
    expectNoLeak(() => tf.tidy(() => m.forward(x)));
    m.dispose();
  });
});

describe('YAML', () => {
  it('takes bits and block as the last DSConv2D / C2f_DSConv arguments, with clear errors', () => {
    const yaml = (row: string) => `nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - ${row}\nhead:\n  - [[-1], 1, Detect, [nc]]\n`;
    const build = (row: string) => buildModel(parseYoloConfig(yaml(row), 'test.yaml'), { registry, warn: () => {} });
    const m = build('[-1, 1, DSConv2D, [32, 3, 2, None, 1, 1, True, 4, 16]]');
    const ds = m.namedModules().find(([, c]) => c instanceof DSConv2D)![1] as DSConv2D;
    expect([ds.bits, ds.block]).toEqual([4, 16]);
    m.dispose();
    const c = build('[-1, 2, C2f_DSConv, [32, True, 1, 0.5, 3]]');
    const inner = c.namedModules().filter(([, x]) => x instanceof DSConv) as [string, DSConv][];
    expect(inner.map(([name]) => name)).toContain('model.1.m.1.cv2.conv');
    expect(inner.every(([, x]) => x.bits === 3 && x.block === 32)).toBe(true);
    c.dispose();
    expect(() => build('[-1, 1, DSConv2D, [32, 3, 2, None, 1, 1, True, 9]]')).toThrow(/row 1 .*DSConv2D.* argument 'bits' must be 0/);
  });
});
