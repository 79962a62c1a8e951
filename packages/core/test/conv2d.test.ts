import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { values } from '@plugconv/test-harness/reference';
import { Conv2d, conv2dExact, kernelLayout, pickConvStrategy, pickStridedDilationMethod, subsample, useBackend, type ConvGeometry, type ConvStrategy, type StridedDilationMethod } from '../src/index.js';

interface Case {
  b: number;
  cin: number;
  cout: number;
  h: number;
  w: number;
  k: number;
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
}

/** PyTorch's F.conv2d (NCHW input, OIHW weight, symmetric zero padding) in float64, written out. */
function referenceConv(x: Float32Array, wt: Float32Array, c: Case): { data: Float64Array; shape: number[] } {
  const ho = Math.floor((c.h + 2 * c.padding - c.dilation * (c.k - 1) - 1) / c.stride) + 1;
  const wo = Math.floor((c.w + 2 * c.padding - c.dilation * (c.k - 1) - 1) / c.stride) + 1;
  const ipg = c.cin / c.groups;
  const opg = c.cout / c.groups;
  const out = new Float64Array(c.b * c.cout * ho * wo);
  for (let n = 0; n < c.b; n++)
    for (let o = 0; o < c.cout; o++) {
      const grp = Math.floor(o / opg);
      for (let i = 0; i < ho; i++)
        for (let j = 0; j < wo; j++) {
          let acc = 0;
          for (let ci = 0; ci < ipg; ci++) {
            const cIn = grp * ipg + ci;
            for (let a = 0; a < c.k; a++) {
              const y = i * c.stride + a * c.dilation - c.padding;
              if (y < 0 || y >= c.h) continue;
              for (let bb = 0; bb < c.k; bb++) {
                const xx = j * c.stride + bb * c.dilation - c.padding;
                if (xx < 0 || xx >= c.w) continue;
                acc += x[((n * c.cin + cIn) * c.h + y) * c.w + xx]! * wt[((o * ipg + ci) * c.k + a) * c.k + bb]!;
              }
            }
          }
          out[((n * c.cout + o) * ho + i) * wo + j] = acc;
        }
  }
  return { data: out, shape: [c.b, c.cout, ho, wo] };
}

/** Runs a case through conv2dExact with a forced strategy (and stride+dilation method), NCHW out. */
function runExact(c: Case, strategy: ConvStrategy, method?: StridedDilationMethod): { data: Float32Array; shape: number[] } {
  const x = values(c.b * c.cin * c.h * c.w, 7 + c.cin + c.h);
  const wt = values(c.cout * (c.cin / c.groups) * c.k * c.k, 11 + c.cout + c.k);
  return tf.tidy(() => {
    const xt = tf.transpose(tf.tensor4d(x, [c.b, c.cin, c.h, c.w]), [0, 2, 3, 1]) as tf.Tensor4D;
    const filter = kernelLayout(c.cin, c.cout, c.k, c.groups, strategy).layout.fromTorch(tf.tensor4d(wt, [c.cout, c.cin / c.groups, c.k, c.k])) as tf.Tensor4D;
    const g: ConvGeometry = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
    const y = tf.transpose(conv2dExact(xt, filter, g, strategy, method ? { stridedDilation: method } : {}), [0, 3, 1, 2]);
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

function expectMatches(c: Case, strategy: ConvStrategy, method?: StridedDilationMethod): void {
  const x = values(c.b * c.cin * c.h * c.w, 7 + c.cin + c.h);
  const wt = values(c.cout * (c.cin / c.groups) * c.k * c.k, 11 + c.cout + c.k);
  const ref = referenceConv(x, wt, c);
  const got = runExact(c, strategy, method);
  expect(got.shape).toEqual(ref.shape);
  let worst = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const err = Math.abs(got.data[i]! - ref.data[i]!) - 1e-3 * Math.abs(ref.data[i]!);
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThan(1e-4);
}

/** The strategies that can express a grouping. */
function strategiesFor(c: Case): ConvStrategy[] {
  if (c.groups === 1) return ['dense', 'split', 'grouped-sum'];
  if (c.groups === c.cin) return ['depthwise', 'split', 'grouped-sum'];
  return ['split', 'grouped-sum'];
}

const base = { b: 1, h: 11, w: 9, stride: 1, padding: 1, dilation: 1 };
const cases: Record<string, Case> = {
  'dense 3x3': { ...base, cin: 6, cout: 10, k: 3, groups: 1 },
  'groups 2': { ...base, cin: 8, cout: 12, k: 3, groups: 2 },
  'groups 4, 5x5, pad 2': { ...base, cin: 8, cout: 8, k: 5, groups: 4, padding: 2 },
  'groups 3, odd channels': { ...base, cin: 9, cout: 15, k: 3, groups: 3 },
  'depthwise': { ...base, cin: 8, cout: 8, k: 3, groups: 8 },
  'depthwise multiplier 3': { ...base, cin: 4, cout: 12, k: 3, groups: 4 },
  'strided, odd size': { ...base, cin: 6, cout: 8, k: 3, groups: 2, stride: 2 },
  'dilated 2': { ...base, cin: 8, cout: 8, k: 3, groups: 8, padding: 2, dilation: 2 },
  'dilated 3, k 5': { ...base, cin: 6, cout: 6, k: 5, groups: 6, padding: 6, dilation: 3, h: 13, w: 12 },
  'no padding, batch 2': { ...base, b: 2, cin: 4, cout: 8, k: 3, groups: 2, padding: 0 },
};
// stride > 1 with dilation > 1: tfjs rejects it, so every method is checked
const strided: Record<string, Case> = {
  's2 d2 depthwise': { ...base, cin: 8, cout: 8, k: 3, groups: 8, stride: 2, padding: 2, dilation: 2 },
  's2 d2 dense, even size': { ...base, cin: 4, cout: 6, k: 3, groups: 1, stride: 2, padding: 2, dilation: 2, h: 10, w: 8 },
  's2 d2 groups 2, pad 1': { ...base, cin: 4, cout: 6, k: 3, groups: 2, stride: 2, padding: 1, dilation: 2 },
  's2 d3 depthwise (SAConv)': { ...base, cin: 6, cout: 6, k: 3, groups: 6, stride: 2, padding: 3, dilation: 3 },
  's2 d3 dense': { ...base, cin: 4, cout: 5, k: 3, groups: 1, stride: 2, padding: 3, dilation: 3, h: 12, w: 13 },
  's3 d2 k5 groups 2': { ...base, cin: 4, cout: 4, k: 5, groups: 2, stride: 3, padding: 4, dilation: 2, h: 14, w: 11 },
  's2 d4 k5 depthwise x2': { ...base, cin: 3, cout: 6, k: 5, groups: 3, stride: 2, padding: 8, dilation: 4, h: 15, w: 10 },
};

afterAll(() => useBackend('wasm'));

describe.each(['cpu', 'wasm'] as const)('conv2dExact on %s matches PyTorch (reference computed here)', (backend) => {
  it.each(Object.entries(cases))('%s, every strategy', async (_, c) => {
    await useBackend(backend);
    for (const s of strategiesFor(c)) expectMatches(c, s);
  });

  it.each(Object.entries(strided))('%s, every strategy and stride+dilation method', async (_, c) => {
    await useBackend(backend);
    for (const s of strategiesFor(c)) {
      const methods: StridedDilationMethod[] = ['subsample', 'polyphase'];
      if (s === 'depthwise' && backend === 'wasm') methods.push('native');
      for (const m of methods) expectMatches(c, s, m);
      expectMatches(c, s); // the default pick
    }
  });

  it('subsample keeps rows and columns 0, s, 2s, ... of odd sizes', async () => {
    await useBackend(backend);
    const y = tf.tensor4d(Array.from({ length: 7 * 5 }, (_, i) => i), [1, 7, 5, 1]);
    const s3 = subsample(y, 3);
    expect(s3.shape).toEqual([1, 3, 2, 1]);
    expect(Array.from(s3.dataSync())).toEqual([0, 3, 15, 18, 30, 33]);
    tf.dispose([y, s3]);
  });
});

describe('Conv2d with its picked strategy', () => {
  it('loads a PyTorch weight and matches the reference for groups 1, 2, 4, 8, 16, C', async () => {
    await useBackend('wasm');
    for (const groups of [1, 2, 4, 8, 16, 32]) {
      const c: Case = { b: 1, cin: 32, cout: 32, h: 6, w: 7, k: 3, stride: 1, padding: 1, dilation: 1, groups };
      const x = values(c.cin * c.h * c.w, 3);
      const wt = values(c.cout * (c.cin / groups) * 9, 5);
      const conv = new Conv2d(c.cin, c.cout, 3, { padding: 1, groups });
      expect(conv.strategy).toBe(pickConvStrategy(32, groups, 'wasm'));
      conv.loadStateDict(new Map([['weight', tf.tensor4d(wt, [32, 32 / groups, 3, 3])]]));
      const y = tf.tidy(() => tf.transpose(conv.forward(tf.transpose(tf.tensor4d(x, [1, 32, 6, 7]), [0, 2, 3, 1])), [0, 3, 1, 2]).dataSync());
      const ref = referenceConv(x, wt, c).data;
      for (let i = 0; i < ref.length; i++) expect(Math.abs(y[i]! - ref[i]!)).toBeLessThan(1e-4 + 1e-3 * Math.abs(ref[i]!));
      // the state dict round-trips in PyTorch layout
      const sd = conv.stateDict();
      expect(Array.from(sd.get('weight')!.dataSync())).toEqual(Array.from(wt));
      tf.dispose([...sd.values()]);
      conv.dispose();
    }
  });

  it('rejects a forced strategy that cannot express the grouping, naming it', () => {
    expect(() => new Conv2d(8, 8, 3, { groups: 2, strategy: 'depthwise' })).toThrow(/strategy 'depthwise' needs groups == in_channels \(8\)/);
    expect(() => new Conv2d(8, 8, 3, { groups: 2, strategy: 'dense' })).toThrow(/strategy 'dense' needs groups 1/);
  });

  it('picks per backend as measured: split for few wide groups, grouped-sum for many or narrow ones; stride+dilation methods', () => {
    expect(pickConvStrategy(64, 1)).toBe('dense');
    expect(pickConvStrategy(64, 64)).toBe('depthwise');
    expect(pickConvStrategy(64, 2, 'wasm')).toBe('split');
    expect(pickConvStrategy(64, 4, 'wasm')).toBe('split');
    expect(pickConvStrategy(64, 8, 'wasm')).toBe('grouped-sum');
    expect(pickConvStrategy(256, 8, 'wasm')).toBe('split');
    expect(pickConvStrategy(64, 32, 'wasm')).toBe('grouped-sum');
    expect(pickConvStrategy(64, 8, 'cpu')).toBe('grouped-sum');
    expect(pickConvStrategy(128, 8, 'cpu')).toBe('split');
    expect(pickConvStrategy(64, 32, 'cpu')).toBe('grouped-sum');
    const sd: ConvGeometry = { stride: 2, padding: 2, dilation: 2, groups: 8 };
    expect(pickStridedDilationMethod('depthwise', sd, 'wasm')).toBe('native');
    expect(pickStridedDilationMethod('dense', sd, 'wasm')).toBe('polyphase');
    expect(pickStridedDilationMethod('depthwise', sd, 'cpu')).toBe('polyphase');
    expect(pickStridedDilationMethod('dense', { ...sd, dilation: 3 }, 'cpu')).toBe('subsample');
    expect(pickStridedDilationMethod('dense', { ...sd, dilation: 3 }, 'wasm')).toBe('polyphase');
    expect(pickStridedDilationMethod('depthwise', { ...sd, dilation: 3 }, 'cpu')).toBe('subsample');
  });
});

describe('gradients through stride+dilation (cpu)', () => {
  it('polyphase and subsample give the input and weight gradients of the stride-1 dilated conv sampled at the strided outputs', async () => {
    await useBackend('cpu');
    const [h, w, cin, cout] = [9, 10, 4, 6];
    const g: ConvGeometry = { stride: 2, padding: 2, dilation: 2, groups: 2 };
    const x = tf.tensor4d(values(h * w * cin, 1), [1, h, w, cin]);
    const filter = tf.tensor4d(values(9 * 2 * cout, 2), [3, 3, 2, cout]); // split layout (k, k, I/g, O)
    // loss = sum(y * r) with y the strided output (5x5); reference: the stride-1 output (9x10) weighted by r
    // placed at rows and columns 0, 2, 4, ... and zero elsewhere
    const r = values(5 * 5 * cout, 3);
    const rUp = new Float32Array(9 * 10 * cout);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) for (let o = 0; o < cout; o++) rUp[((2 * i) * 10 + 2 * j) * cout + o] = r[(i * 5 + j) * cout + o]!;
    const rT = tf.tensor4d(r, [1, 5, 5, cout]);
    const rUpT = tf.tensor4d(rUp, [1, 9, 10, cout]);
    const one = { ...g, stride: 1 };
    const [gxRef, gwRef] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(conv2dExact(xi as tf.Tensor4D, wi as tf.Tensor4D, one, 'split'), rUpT)))([x, filter]);
    for (const m of ['polyphase', 'subsample'] as const) {
      const [gx, gw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(conv2dExact(xi as tf.Tensor4D, wi as tf.Tensor4D, g, 'split', { stridedDilation: m }), rT)))([x, filter]);
      expect(tf.max(tf.abs(tf.sub(gx!, gxRef!))).dataSync()[0]).toBeLessThan(1e-5);
      expect(tf.max(tf.abs(tf.sub(gw!, gwRef!))).dataSync()[0]).toBeLessThan(1e-4);
      tf.dispose([gx!, gw!]);
    }
    expect(tf.max(tf.abs(gwRef!)).dataSync()[0]).toBeGreaterThan(0.5);
    tf.dispose([x, filter, rT, rUpT, gxRef!, gwRef!]);
  });

  it('dilated convs train (tfjs has no dilated conv gradient): weight gradients of every strategy match the reference', async () => {
    await useBackend('cpu');
    for (const [groups, d, k, strategy] of [[1, 2, 3, 'dense'], [6, 3, 5, 'depthwise'], [2, 2, 3, 'split'], [3, 2, 3, 'grouped-sum']] as const) {
      const c: Case = { b: 1, cin: 6, cout: 6, h: 8, w: 7, k, stride: 1, padding: (d * (k - 1)) >> 1, dilation: d, groups };
      const x = values(c.cin * c.h * c.w, 4);
      const wt = values(c.cout * (c.cin / groups) * k * k, 6);
      const conv = new Conv2d(c.cin, c.cout, k, { padding: c.padding, dilation: d, groups, strategy });
      conv.loadStateDict(new Map([['weight', tf.tensor4d(wt, [6, 6 / groups, k, k])]]));
      const xt = tf.transpose(tf.tensor4d(x, [1, 6, c.h, c.w]), [0, 2, 3, 1]);
      // loss = sum(y): dL/dW[o, ci, a, b] = sum of the inputs that tap reads (zero padding), from the reference
      const { grads } = tf.variableGrads(() => tf.sum(conv.forward(xt)) as tf.Scalar, [conv.weight]);
      const gTorch = conv.namedSlots()[0]![1].layout.toTorch(grads[conv.weight.name]!);
      const got = gTorch.dataSync();
      const ipg = 6 / groups;
      const ho = c.h, wo = c.w;
      for (let o = 0; o < 6; o++)
        for (let ci = 0; ci < ipg; ci++)
          for (let a = 0; a < k; a++)
            for (let b = 0; b < k; b++) {
              let ref = 0;
              const cIn = Math.floor(o / (6 / groups)) * ipg + ci;
              for (let i = 0; i < ho; i++)
                for (let j = 0; j < wo; j++) {
                  const y = i + a * d - c.padding;
                  const xx = j + b * d - c.padding;
                  if (y >= 0 && y < c.h && xx >= 0 && xx < c.w) ref += x[(cIn * c.h + y) * c.w + xx]!;
                }
              expect(Math.abs(got[((o * ipg + ci) * k + a) * k + b]! - ref)).toBeLessThan(1e-4 + 1e-4 * Math.abs(ref));
            }
      tf.dispose([xt, gTorch, ...Object.values(grads)]);
      conv.dispose();
    }
  });
});
