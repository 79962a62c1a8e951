import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { countingMacs, useBackend } from '@plugconv/core';
import { C2f_SAConv, SAConv2d } from '../src/index.js';
import { manualSubsample, referenceConv2d } from '@plugconv/test-harness/tf-reference';
import { referenceReflectIndex, referenceStandardize } from './reference.js';
import { maxAbsDiff, randomizeState, seeded, configModel } from './helpers.js';

/**
 * The reference SAConv2d's forward written out from the module's PyTorch-layout state dict with independent
 * primitives: pointwise convs as matmuls, the reflect padding by explicit index gathers, both branches by per-group
 * stride-1 tf.conv2d then a manual subsample, the standardisation in float64, BN (eval) by its formula.
 */
function referenceSAConv(m: SAConv2d, x: tf.Tensor4D): tf.Tensor4D {
  const sd = m.stateDict();
  const t = (k: string) => sd.get(k)!;
  const { stride: s, dilation: d, groups: g } = m.geometry;
  const p = (d * (m.k - 1)) / 2;
  const [, h, w] = x.shape;
  const pointwise = (v: tf.Tensor, key: string) => {
    const wt = t(`${key}.weight`);
    const [o, i] = wt.shape as number[];
    const shape = v.shape.slice(0, 3);
    return tf.reshape(tf.add(tf.matMul(tf.reshape(v, [-1, i!]), tf.reshape(wt, [o!, i!]), false, true), t(`${key}.bias`)), [...shape, o!]);
  };
  const y = tf.tidy(() => {
    const xx = tf.add(x, pointwise(tf.mean(x, [1, 2], true), 'pre_context')) as tf.Tensor4D;
    const rows = Array.from({ length: h + 4 }, (_, i) => referenceReflectIndex(i - 2, h));
    const cols = Array.from({ length: w + 4 }, (_, j) => referenceReflectIndex(j - 2, w));
    const padded = tf.gather(tf.gather(xx, rows, 1), cols, 2) as tf.Tensor4D;
    const sw = pointwise(manualSubsample(tf.avgPool(padded, 5, 1, 'valid'), s), 'switch');
    const ws = referenceStandardize(t('weight') as tf.Tensor4D, t('weight_gamma'), t('weight_beta'));
    const outS = referenceConv2d(xx, ws, s, p, d, g);
    const outL = referenceConv2d(xx, tf.add(ws, t('weight_diff')) as tf.Tensor4D, s, 3 * p, 3 * d, g);
    const mixed = tf.add(tf.mul(sw, outS), tf.mul(tf.sub(1, sw), outL));
    const out = tf.add(mixed, pointwise(tf.mean(mixed, [1, 2], true), 'post_context'));
    const bn = tf.add(tf.mul(tf.div(tf.sub(out, t('bn.running_mean')), tf.sqrt(tf.add(t('bn.running_var'), 1e-3))), t('bn.weight')), t('bn.bias'));
    return tf.mul(bn, tf.sigmoid(bn)) as tf.Tensor4D;
  });
  for (const v of sd.values()) v.dispose();
  return y;
}

// (c1, c2, k, s, g, d, H, W): dilation 2 at stride 1 and 2 (large branch 6), odd sizes, every group strategy, k = 5
const CASES: [number, number, number, number, number, number, number, number][] = [
  [8, 12, 3, 1, 1, 2, 13, 11],
  [8, 12, 3, 2, 1, 2, 13, 11],
  [8, 12, 3, 2, 1, 1, 15, 9],
  [8, 12, 3, 1, 1, 1, 7, 9],
  [8, 12, 3, 2, 2, 1, 11, 14],
  [8, 16, 3, 2, 8, 2, 13, 13],
  [12, 12, 3, 1, 6, 2, 9, 10],
  [6, 12, 5, 2, 1, 1, 17, 15],
];

describe.each(['cpu', 'wasm'] as const)('SAConv2d on %s equals the reference written out with plain ops', (backend) => {
  it.each(CASES)('c1 %i, c2 %i, k %i, s %i, g %i, d %i on %ix%i', async (c1, c2, k, s, g, d, h, w) => {
    await useBackend(backend);
    const m = new SAConv2d(c1, c2, k, s, null, g, d);
    randomizeState(m, c1 + c2 + k + s + g + d);
    m.eval();
    const x = seeded([2, h, w, c1], h * w) as tf.Tensor4D;
    const y = m.forward(x);
    const ref = referenceSAConv(m, x);
    expect(y.shape).toEqual([2, Math.ceil(h / s), Math.ceil(w / s), c2]);
    expect(y.shape).toEqual(ref.shape);
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-4);
    for (const method of ['subsample'] as const) {
      m.stridedDilation = method;
      const y2 = m.forward(x);
      expect(maxAbsDiff(y2, ref)).toBeLessThan(1e-4);
      y2.dispose();
    }
    tf.dispose([x, y, ref]);
    m.dispose();
  });
});

describe('SAConv2d gradients (cpu)', () => {
  const GRAD_KEYS = ['weight', 'weight_diff', 'switch.weight', 'switch.bias', 'pre_context.weight', 'pre_context.bias', 'post_context.weight', 'post_context.bias', 'bn.weight', 'bn.bias'];

  function loss(m: SAConv2d, x: tf.Tensor, r: tf.Tensor): tf.Scalar {
    return tf.sum(tf.mul(m.forward(x), r));
  }

  // stride 1: the large branch dilates 3 at stride 1 (C2f_SAConv); stride 2: 3 at stride 2 (polyphase); d = 2: 6 at stride 2
  it.each([
    [1, 1],
    [2, 1],
    [2, 2],
  ])('stride %i, dilation %i: reach weight, weight_diff, switch and both contexts, and match finite differences', async (s, d) => {
    await useBackend('cpu');
    const m = new SAConv2d(6, 8, 3, s, null, 1, d);
    randomizeState(m, 3 + s + d);
    m.eval();
    const x = seeded([2, 13, 11, 6], 5);
    const r = seeded([2, Math.ceil(13 / s), Math.ceil(11 / s), 8], 6);
    const named = new Map(m.namedParameters());
    const { grads } = tf.variableGrads(() => loss(m, x, r), m.trainableVariables());
    for (const key of GRAD_KEYS) {
      const gr = grads[named.get(key)!.name]!;
      expect(gr, key).toBeDefined();
      const v = gr.dataSync();
      expect(v.every(Number.isFinite), key).toBe(true);
      expect(Math.max(...v.map(Math.abs)), key).toBeGreaterThan(1e-4);
    }
    // central differences on the largest-gradient entry of each trainable tensor of the SAConv itself
    for (const key of GRAD_KEYS.slice(0, 8)) {
      const variable = named.get(key)!;
      const gv = grads[variable.name]!.dataSync();
      let at = 0;
      for (let i = 1; i < gv.length; i++) if (Math.abs(gv[i]!) > Math.abs(gv[at]!)) at = i;
      const base = variable.dataSync().slice();
      const eps = 1e-2;
      const at_ = (delta: number) => {
        const v = base.slice();
        v[at] = v[at]! + delta;
        variable.assign(tf.tensor(v, variable.shape));
        return tf.tidy(() => loss(m, x, r).dataSync()[0]!);
      };
      const numeric = (at_(eps) - at_(-eps)) / (2 * eps);
      variable.assign(tf.tensor(base, variable.shape));
      expect(Math.abs(numeric - gv[at]!), `${key}[${at}]: numeric ${numeric}, analytic ${gv[at]}`).toBeLessThan(2e-2 * Math.abs(gv[at]!) + 1e-3);
    }
    // the input gradient at border pixels (the switch's reflect padding sends them extra gradient) and inside
    const dx = tf.grad((a: tf.Tensor) => loss(m, a, r))(x).dataSync();
    const xv = x.dataSync();
    for (const [i, j, c] of [[0, 0, 0], [0, 1, 2], [1, 0, 3], [12, 10, 5], [11, 9, 1], [6, 5, 4]] as const) {
      const at = ((1 * 13 + i) * 11 + j) * 6 + c;
      const eps = 1e-2;
      const f = (delta: number) => {
        const v = xv.slice();
        v[at] = v[at]! + delta;
        return tf.tidy(() => loss(m, tf.tensor(v, x.shape), r).dataSync()[0]!);
      };
      const numeric = (f(eps) - f(-eps)) / (2 * eps);
      expect(Math.abs(numeric - dx[at]!), `dL/dx[1, ${i}, ${j}, ${c}]: numeric ${numeric}, analytic ${dx[at]}`).toBeLessThan(2e-2 * Math.abs(dx[at]!) + 2e-3);
    }
    tf.dispose(grads);
    m.dispose();
  });

  it('a train-mode step of C2f_SAConv gives every trainable tensor a finite gradient', async () => {
    await useBackend('cpu');
    const m = new C2f_SAConv(8, 8, 1, true);
    randomizeState(m, 9);
    m.train();
    const x = seeded([2, 9, 9, 8], 7);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.forward(x))), m.trainableVariables());
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(Object.keys(grads).length).toBe(m.trainableVariables().length);
    for (const [key, v] of m.namedParameters()) expect(grads[v.name]!.dataSync().every(Number.isFinite), key).toBe(true);
    m.dispose();
  });
});

describe('SAConv2d structure', () => {
  it('keeps the reference state keys and shapes, gamma/beta as buffers, and its initial switch/context values', () => {
    const m = new SAConv2d(16, 32, 3, 2);
    const sd = m.stateDict();
    expect([...sd.entries()].map(([k, v]) => `${k}:${v.shape}`)).toEqual([
      'weight:32,16,3,3',
      'weight_diff:32,16,3,3',
      'weight_gamma:32,1,1,1',
      'weight_beta:32,1,1,1',
      'switch.weight:1,16,1,1',
      'switch.bias:1',
      'pre_context.weight:16,16,1,1',
      'pre_context.bias:16',
      'post_context.weight:32,32,1,1',
      'post_context.bias:32',
      'bn.weight:32',
      'bn.bias:32',
      'bn.running_mean:32',
      'bn.running_var:32',
    ]);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['weight_gamma', 'weight_beta', 'bn.running_mean', 'bn.running_var']);
    expect(m.numParams()).toBe(10625);
    expect(sd.get('switch.bias')!.dataSync()[0]).toBe(1);
    expect(sd.get('weight_diff')!.dataSync().every((v) => v === 0)).toBe(true);
    expect(sd.get('pre_context.weight')!.dataSync().every((v) => v === 0)).toBe(true);
    tf.dispose([...sd.values()]);
    m.dispose();
  });

  it('matchWeightStatistics makes the standardised kernel equal the raw weight (the reference loading a plain conv)', () => {
    const m = new SAConv2d(8, 12, 3);
    m.matchWeightStatistics();
    const { small } = m.branchWeights();
    expect(maxAbsDiff(small, m.weight)).toBeLessThan(1e-6);
    small.dispose();
    m.dispose();
  });

  it.each([
    [1, 1, 8, 8, 1],
    [2, 1, 15, 9, 1],
    [2, 2, 13, 11, 2],
  ])('counts MACs by the FLOP rule (stride %i, dilation %i, %ix%i, groups %i)', (s, d, h, w, g) => {
    const [c1, c2, k] = [8, 12, 3];
    const m = new SAConv2d(c1, c2, k, s, null, g, d);
    const ho = Math.ceil(h / s);
    const wo = Math.ceil(w / s);
    const b = 2;
    const expected =
      2 * b * ho * wo * c2 * (c1 / g) * k * k + // both branch convs
      b * ho * wo * c1 + // switch 1x1 conv
      b * h * w * c1 + // 5x5 average
      (h * w + 1) * b * c1 + // GAP before pre_context
      b * c1 * c1 + // pre_context
      (ho * wo + 1) * b * c2 + // GAP before post_context
      b * c2 * c2 + // post_context
      4 * b * ho * wo * c2; // BN (thop's affine count, as core)
    for (const shapeOnly of [false, true]) {
      const { macs } = countingMacs(() => tf.tidy(() => void m.forward(tf.zeros([b, h, w, c1]))), { shapeOnly });
      expect(macs).toBe(expected);
    }
    m.dispose();
  });
});

describe('SAConv2d errors', () => {
  it('a map too small for the reflect padding names the layer, not a tfjs shape error', () => {
    const m = new SAConv2d(8, 12, 3, 2);
    for (const [h, w] of [[2, 5], [5, 2], [1, 1]]) {
      expect(() => m.forward(tf.zeros([1, h!, w!, 8]))).toThrow(`SAConv2d(8, 12, k=3, s=2, d=1): a ${h}x${w} feature map is too small for the switch's reflect padding of 2 (needs at least 3x3)`);
    }
    expect(() => m.forward(tf.zeros([1, 3, 3, 8]))).not.toThrow();
    m.dispose();
  });

  it('in a model, the error names the row (yolov8-SAConv on 32x32: row 7 sees 2x2)', () => {
    const model = configModel('yolov8-SAConv.yaml', 't', '8.2');
    expect(() => model.predict(tf.zeros([1, 32, 32, 3]))).toThrow(/row 7 \(SAConv2d, .*SAConv2d\(64, 128, k=3, s=2, d=1\): a 2x2 feature map is too small for the switch's reflect padding/);
    model.dispose();
  });

  it('rejects geometry the two branches cannot share, bad channels and a 1-weight standardisation', () => {
    expect(() => new SAConv2d(8, 8, 2)).toThrow(/changes the map size/);
    expect(() => new SAConv2d(8, 8, 3, 1, 0)).toThrow(/padding 0 with k=3, d=1 changes the map size/);
    expect(() => new SAConv2d(8, 9, 3, 1, null, 2)).toThrow(/divisible by groups 2/);
    expect(() => new SAConv2d(4, 4, 1, 1, null, 4)).toThrow(/at least 2 weights per output channel/);
    expect(() => new SAConv2d(8, 8, 3, 0)).toThrow(/s must be a positive integer/);
    const m = new SAConv2d(8, 8, 3);
    expect(() => m.forward(tf.zeros([1, 9, 9, 4]))).toThrow(/SAConv2d\(8, 8, k=3, s=1, d=1\): expected an NHWC input with 8 channels, got \[1,9,9,4\]/);
    m.dispose();
  });
});
