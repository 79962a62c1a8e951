import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, countingMacs, fuse, parseYoloConfig, useBackend, type Module } from '@plugconv/core';
import { packageTestKit, worstRatio } from '@plugconv/test-harness/node';
import { DWSConv, modules } from '../src/index.js';
import { batchNorm, conv2d, silu, values, type Nchw } from '@plugconv/test-harness/reference';

const { registry } = packageTestKit(import.meta.url, modules);

afterAll(() => useBackend('wasm'));

/** Random weights and BN statistics (PyTorch layout, from the module's own state shapes) as float arrays. */
function randomState(m: Module, seed: number): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  const sd = m.stateDict();
  let i = 0;
  for (const [key, t] of sd) {
    const n = t.size;
    const data = key.endsWith('running_var') ? values(n, seed + i, 0.5, 2) : key.endsWith('bn.weight') ? values(n, seed + i, 0.5, 1.5) : values(n, seed + i, -0.5, 0.5);
    out.set(key, { data, shape: t.shape });
    i++;
  }
  tf.dispose([...sd.values()]);
  return out;
}

/** PyTorch's DWSConv forward (eval) from the definition: depthwise conv, BN, pointwise conv, BN, SiLU. */
function referenceDwsConv(x: Nchw, st: Map<string, { data: Float32Array }>, c1: number, c2: number, k: number, s: number, d: number): Nchw {
  const p = d > 1 ? Math.floor((d * (k - 1) + 1) / 2) : Math.floor(k / 2);
  const g = (key: string) => st.get(key)!.data;
  let y = conv2d(x, g('depthwise.conv.weight'), c1, k, s, p, d, c1);
  y = batchNorm(y, g('depthwise.bn.weight'), g('depthwise.bn.bias'), g('depthwise.bn.running_mean'), g('depthwise.bn.running_var'), 1e-3);
  y = conv2d(y, g('pointwise.conv.weight'), c2, 1, 1, 0, 1, 1);
  y = batchNorm(y, g('pointwise.bn.weight'), g('pointwise.bn.bias'), g('pointwise.bn.running_mean'), g('pointwise.bn.running_var'), 1e-3);
  return silu(y);
}

const referenceCases: [string, { c1: number; c2: number; k: number; s: number; d: number; shape: [number, number, number, number] }][] = [
  ['dilation 3 with k 5 (odd size 13x11)', { c1: 6, c2: 10, k: 5, s: 1, d: 3, shape: [1, 6, 13, 11] }],
  ['stride 2 with dilation 2 (odd size 15x12, batch 2)', { c1: 8, c2: 12, k: 3, s: 2, d: 2, shape: [2, 8, 15, 12] }],
  ['stride 2 with dilation 3, k 5 (17x16)', { c1: 4, c2: 6, k: 5, s: 2, d: 3, shape: [1, 4, 17, 16] }],
  ['stride 2, no dilation (odd size 9x7)', { c1: 5, c2: 7, k: 3, s: 2, d: 1, shape: [1, 5, 9, 7] }],
  ['stride 1, k 1 (3 input channels)', { c1: 3, c2: 8, k: 1, s: 1, d: 1, shape: [1, 3, 5, 6] }],
];

describe.each(['cpu', 'wasm'] as const)('DWSConv against a float64 reference on %s', (backend) => {
  it.each(referenceCases)('%s', async (_, c) => {
    await useBackend(backend);
    const m = new DWSConv(c.c1, c.c2, c.k, c.s, c.d);
    const st = randomState(m, 100 + c.k * 10 + c.d);
    m.loadStateDict(new Map([...st].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
    m.eval();
    const xData = values(c.shape.reduce((a, b) => a * b, 1), 42, -2, 2);
    const ref = referenceDwsConv({ data: Float64Array.from(xData), shape: c.shape }, st, c.c1, c.c2, c.k, c.s, c.d);
    const y = tf.tidy(() => tf.transpose(m.forward(tf.transpose(tf.tensor4d(xData, c.shape), [0, 2, 3, 1])), [0, 3, 1, 2]));
    expect(y.shape).toEqual(ref.shape);
    expect(worstRatio(y.dataSync(), ref.data).ratio).toBeLessThanOrEqual(1);
    y.dispose();
    m.dispose();
  });
});

describe('DWSConv module', () => {
  it('has the state keys of the PyTorch module and the parameter count c1*k*k + 2*c1 + c1*c2 + 2*c2', () => {
    const m = new DWSConv(16, 32, 3, 1, 2);
    expect(m.namedSlots().map(([k]) => k)).toEqual([
      'depthwise.conv.weight',
      'depthwise.bn.weight',
      'depthwise.bn.bias',
      'depthwise.bn.running_mean',
      'depthwise.bn.running_var',
      'pointwise.conv.weight',
      'pointwise.bn.weight',
      'pointwise.bn.bias',
      'pointwise.bn.running_mean',
      'pointwise.bn.running_var',
    ]);
    expect(m.numParams()).toBe(16 * 9 + 32 + 16 * 32 + 64);
    expect(m.depthwise.conv.strategy).toBe('depthwise');
    m.dispose();
  });

  it('keeps the map size at stride 1 for every dilation and halves it (ceil) at stride 2', async () => {
    await useBackend('wasm');
    for (const [k, d] of [[3, 1], [3, 2], [5, 3], [3, 4]]) {
      const m = new DWSConv(4, 6, k, 1, d);
      const m2 = new DWSConv(4, 6, k, 2, d);
      const x = tf.zeros([1, 11, 8, 4]);
      const y = m.forward(x);
      const y2 = m2.forward(x);
      expect(y.shape).toEqual([1, 11, 8, 6]);
      expect(y2.shape).toEqual([1, 6, 4, 6]);
      tf.dispose([x, y, y2]);
      m.dispose();
      m2.dispose();
    }
  });

  it('counts MACs by the rules: depthwise k*k per output, pointwise c1 per output, BN 4 per element (thop)', async () => {
    await useBackend('wasm');
    const m = new DWSConv(8, 16, 3, 2, 2).eval();
    const x = tf.zeros([1, 20, 20, 8]);
    const { result, macs } = countingMacs(() => m.forward(x));
    const hw = 10 * 10;
    expect(macs).toBe(8 * hw * 9 + 4 * 8 * hw + 16 * hw * 8 + 4 * 16 * hw);
    tf.dispose([x, result]);
    m.dispose();
  });

  it('trains on cpu at stride 2 with dilation 2: every parameter gets a finite, non-zero gradient', async () => {
    await useBackend('cpu');
    const m = new DWSConv(6, 8, 3, 2, 2).train();
    const x = tf.tensor4d(values(2 * 9 * 10 * 6, 9), [2, 9, 10, 6]);
    const vars = m.trainableVariables();
    expect(vars.length).toBe(6);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, vars);
    for (const v of vars) {
      const g = grads[v.name]!;
      const abs = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!);
      expect(Number.isFinite(abs)).toBe(true);
      expect(abs).toBeGreaterThan(0);
    }
    // BN running stats moved in training mode
    const mean = m.depthwise.bn!.runningMean.dataSync();
    expect(Math.max(...Array.from(mean, Math.abs))).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    m.dispose();
  });

  it('fuse() folds both BNs: same eval output, fewer parameters', async () => {
    await useBackend('wasm');
    const m = new DWSConv(6, 8, 3, 2, 2);
    const st = randomState(m, 7);
    m.loadStateDict(new Map([...st].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
    m.eval();
    const x = tf.tensor4d(values(1 * 11 * 11 * 6, 3), [1, 11, 11, 6]);
    const before = m.forward(x);
    fuse(m);
    const after = m.forward(x);
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]).toBeLessThan(1e-5);
    expect(m.numParams()).toBe(6 * 9 + 6 + 6 * 8 + 8);
    tf.dispose([x, before, after]);
    m.dispose();
  });

  it('rejects bad arguments with the argument named, in code and in a YAML row', () => {
    expect(() => new DWSConv(16, 32, 3, 0)).toThrow(/DWSConv: argument 's' must be a positive integer, got 0/);
    expect(() => new DWSConv(16, 32, 3, 1, 1.5)).toThrow(/argument 'd'/);
    const yaml = (args: string) => `nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, DWSConv, ${args}]\nhead:\n  - [[1], 1, Detect, [nc]]\n`;
    expect(() => buildModel(parseYoloConfig(yaml('[32, 3, 2, "x"]'), 'bad.yaml'), { registry, warn: () => {} })).toThrow(/row 1.*DWSConv argument 'd' must be int/);
    expect(() => buildModel(parseYoloConfig(yaml('[32, 3, 2, 1, True, 9]'), 'bad.yaml'), { registry, warn: () => {} })).toThrow(/row 1.*DWSConv takes at most 6 arguments/);
  });
});
