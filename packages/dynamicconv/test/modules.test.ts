import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, fuse, isFusable, parseYoloConfig, buildModel, useBackend } from '@plugconv/core';
import {
  C2f_DynamicConv,
  C2f_GhostModule_DynamicConv,
  CondConv2d,
  DynamicConv,
  DynamicConv2d,
  GhostModule,
  pickDynamicConvStrategy,
  setDynamicConvStrategy,
  type CondConvShape,
} from '../src/index.js';
import { registry, configModel } from './helpers.js';

const randomizeBn = (m: { namedModules(): [string, unknown][] }) => {
  for (const [, bn] of m.namedModules()) {
    if (!(bn instanceof BatchNorm2d)) continue;
    bn.weight.assign(tf.randomUniform([bn.channels], 0.5, 1.5));
    bn.bias.assign(tf.randomUniform([bn.channels], -0.5, 0.5));
    bn.runningMean.assign(tf.randomUniform([bn.channels], -0.5, 0.5));
    bn.runningVar.assign(tf.randomUniform([bn.channels], 0.5, 2));
  }
};

describe('state-dict keys and parameter counts (the fixtures and timm layout)', () => {
  it('DynamicConv: conv.routing.*, conv.cond_conv.weight (E, c2*(c1/g)*k*k), bn.*', () => {
    const m = new DynamicConv(16, 32, 3, 2);
    const sd = m.stateDict();
    expect([...sd.keys()]).toEqual(['conv.routing.weight', 'conv.routing.bias', 'conv.cond_conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var']);
    expect(sd.get('conv.routing.weight')!.shape).toEqual([4, 16]);
    expect(sd.get('conv.cond_conv.weight')!.shape).toEqual([4, 32 * 16 * 9]);
    expect(m.numParams()).toBe(18564);
    tf.dispose([...sd.values()]);
    m.dispose();
  });

  it('experts are configurable everywhere', () => {
    const d = new DynamicConv(8, 8, 3, 1, null, 1, 1, true, 8);
    expect(d.conv.experts).toBe(8);
    expect(d.numParams()).toBe(8 * 8 + 8 + 8 * 8 * 8 * 9 + 16);
    const c = new C2f_DynamicConv(16, 16, 1, true, 1, 0.5, 2);
    expect(c.namedModules().filter(([, m]) => m instanceof DynamicConv2d).every(([, m]) => (m as DynamicConv2d).experts === 2)).toBe(true);
    const g = new C2f_GhostModule_DynamicConv(16, 16, 1, false, 1, 0.5, 6);
    expect(g.stateDict().get('m.0.cheap_operation.0.cond_conv.weight')!.shape).toEqual([6, 4 * 9]);
    for (const m of [d, c, g]) m.dispose();
  });

  it('GhostModule with an odd output count cuts the concatenation to oup channels', () => {
    const m = new GhostModule(6, 7);
    const y = tf.tidy(() => m.forward(tf.randomNormal([2, 5, 5, 6])));
    expect(y.shape).toEqual([2, 5, 5, 7]);
    y.dispose();
    m.dispose();
  });
});

describe('strategy choice', () => {
  const shape = (cin: number, cout: number, k: number, g: number): CondConvShape => ({ cin, cout, k, experts: 4, geometry: { stride: 1, padding: 1, dilation: 1, groups: g } });
  it('batch-grouped for depthwise experts in batches, per-sample otherwise', () => {
    expect(pickDynamicConvStrategy(shape(16, 16, 3, 16), 4)).toBe('batch-grouped');
    expect(pickDynamicConvStrategy(shape(16, 16, 3, 16), 1)).toBe('per-sample');
    expect(pickDynamicConvStrategy(shape(16, 32, 3, 1), 16)).toBe('per-sample');
    expect(pickDynamicConvStrategy(shape(16, 32, 1, 1), 16)).toBe('per-sample');
    expect(pickDynamicConvStrategy(shape(16, 32, 3, 2), 16)).toBe('per-sample');
  });

  it('setDynamicConvStrategy sets every layer that can run it; a bad forced strategy is a clear error', () => {
    const m = new C2f_GhostModule_DynamicConv(16, 16, 2);
    expect(setDynamicConvStrategy(m, 'experts')).toBe(4);
    expect(setDynamicConvStrategy(m, 'batched-matmul')).toBe(2); // only the 1x1 primary convs
    const conds = m.namedModules().filter(([, c]) => c instanceof CondConv2d) as [string, CondConv2d][];
    expect(conds.map(([, c]) => c.strategy)).toEqual(['batched-matmul', 'auto', 'batched-matmul', 'auto']);
    const d = new DynamicConv2d(8, 8, 3);
    expect(() => (d.strategy = 'batched-matmul')).toThrow(/needs a 1x1 kernel without groups \(k=3, groups=1\)/);
    for (const x of [m, d]) x.dispose();
  });
});

describe('bad input gets a clear error', () => {
  it('constructor arguments', () => {
    expect(() => new DynamicConv2d(6, 8, 3, 1, null, 1, 4)).toThrow(/c1 6 and c2 8 must be divisible by groups 4/);
    expect(() => new DynamicConv2d(8, 8, 3, 1, null, 1, 1, false, 0)).toThrow(/experts must be an integer >= 1, got 0/);
    expect(() => new DynamicConv2d(8, 8, 2.5)).toThrow(/kernel size k must be an integer >= 1, got 2.5/);
    expect(() => new DynamicConv(8, 8, 3, 0)).toThrow(/stride s must be an integer >= 1, got 0/);
  });

  it('inputs', () => {
    const d = new DynamicConv(8, 16, 3);
    expect(() => tf.tidy(() => d.forward(tf.zeros([1, 5, 5, 4])))).toThrow(/DynamicConv2d\(8->16\): expected NHWC input with 8 channels, got \[1,5,5,4\]/);
    expect(() => tf.tidy(() => d.conv.condConv.forward([tf.zeros([2, 5, 5, 8]), tf.zeros([2, 3])]))).toThrow(/routing weights must be \[2, 4\] \(batch, experts\), got \[2,3\]/);
    const big = new DynamicConv2d(8, 8, 5, 1, 0);
    expect(() => tf.tidy(() => big.forward(tf.zeros([1, 3, 3, 8])))).toThrow(/input 3x3 is too small/);
    for (const x of [d, big]) x.dispose();
  });

  it('state dicts name the key', () => {
    const d = new DynamicConv(8, 16, 3);
    const bad = new Map([['conv.cond_conv.weight', tf.zeros([4, 10])]]);
    expect(() => d.loadStateDict(bad, { strict: false })).toThrow(/conv\.cond_conv\.weight: expected \[4,1152\], got \[4,10\]/);
    tf.dispose([...bad.values()]);
    d.dispose();
  });

  it('a YAML row with a wrong argument names the row and the argument', () => {
    const yaml = `nc: 80\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, DynamicConv, [32, 3, 2, None, 1, 1, True, 2.5]]\nhead:\n  - [[-1], 1, Detect, [nc]]\n`;
    expect(() => buildModel(parseYoloConfig(yaml, 'bad.yaml'), { registry, warn: () => {} })).toThrow(/row 1.*DynamicConv argument 'experts' must be int, got 2.5/);
  });
});

describe('fuse() folds BatchNorm into the experts', () => {
  it.each([
    ['DynamicConv 8->16 k3 s2', () => new DynamicConv(8, 16, 3, 2), [2, 9, 9, 8]],
    ['GhostModule 8->8', () => new GhostModule(8, 8), [3, 7, 7, 8]],
    ['C2f_DynamicConv', () => new C2f_DynamicConv(8, 8, 1, true), [2, 6, 6, 8]],
  ] as const)('%s: eval output unchanged, fewer parameters, no BatchNorm left in dynamic convs', async (_, make, shape) => {
    await useBackend('wasm');
    const m = make();
    randomizeBn(m);
    m.eval();
    const x = tf.randomNormal(shape as unknown as number[]);
    const before = tf.tidy(() => m.forward(x));
    const params = m.numParams();
    fuse(m); // folds the children
    if (isFusable(m)) m.fuse(); // and the module itself
    const after = tf.tidy(() => m.forward(x));
    expect(m.numParams()).toBeLessThan(params);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]!);
    const scale = tf.tidy(() => tf.max(tf.abs(before)).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
    expect(m.stateDict().has(m instanceof DynamicConv ? 'conv.bias' : m instanceof GhostModule ? 'primary_conv.0.bias' : 'm.0.cv1.conv.bias')).toBe(true);
    tf.dispose([x, before, after]);
    m.dispose();
  });
});

describe('training (cpu)', () => {
  it.each([
    ['C2f_DynamicConv', () => new C2f_DynamicConv(8, 8, 2, true)],
    ['C2f_GhostModule_DynamicConv', () => new C2f_GhostModule_DynamicConv(8, 8, 2)],
  ] as const)('%s: every trainable parameter gets a non-zero gradient, including routing and every expert row', async (_, make) => {
    await useBackend('cpu');
    const m = make();
    m.train();
    const x = tf.randomNormal([3, 6, 6, 8], 0, 1, 'float32', 3);
    const target = tf.randomNormal([3, 6, 6, 8], 0, 1, 'float32', 4);
    const vars = m.trainableVariables();
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(m.forward(x), target))) as tf.Scalar, vars);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    const dead: string[] = [];
    for (const [key, v] of m.namedParameters()) {
      const g = grads[v.name]!;
      const rows = key.endsWith('cond_conv.weight') ? g.shape[0]! : 1;
      const data = g.dataSync();
      const per = data.length / rows;
      for (let e = 0; e < rows; e++) {
        if (!data.subarray(e * per, (e + 1) * per).some((z) => z !== 0)) dead.push(`${key}${rows > 1 ? ` expert ${e}` : ''}`);
      }
    }
    expect(dead).toEqual([]);
    tf.dispose([x, target, value, ...Object.values(grads)]);
    m.dispose();
  });

  it('no tensor leaks across repeated forwards (wasm, batch 4, every strategy path)', async () => {
    await useBackend('wasm');
    const m = new C2f_GhostModule_DynamicConv(16, 16, 1);
    m.eval();
    const x = tf.randomNormal([4, 8, 8, 16]);
    tf.tidy(() => m.forward(x)).dispose();
    const before = tf.memory().numTensors;
    for (const s of ['auto', 'per-sample', 'experts', 'batch-grouped'] as const) {
      setDynamicConvStrategy(m, s);
      for (let i = 0; i < 3; i++) tf.tidy(() => m.forward(x)).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('shipped configs build and run a batch (wasm, scale t, 64x64)', () => {
  it.each(['yolov8-DynamicConv.yaml', 'yolov8-C2f-DynamicConv.yaml', 'yolov8-C2f-GhostModule-DynamicConv.yaml'])('%s', async (cfg) => {
    await useBackend('wasm');
    const m = configModel(cfg, 't', '8.2');
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 5);
    const y = m.predict(x);
    expect(y.shape).toEqual([2, 84, 84]);
    // each sample is the same as when run alone (its own kernels, nothing mixed across the batch)
    const second = tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]);
    const alone = m.predict(second);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(y, [1, 0, 0], [1, -1, -1]), alone))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-3);
    tf.dispose([x, second, y, alone]);
    m.dispose();
  });
});
