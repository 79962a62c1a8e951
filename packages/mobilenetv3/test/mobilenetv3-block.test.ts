import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, countingMacs, fuse, makeDivisibleTorchvision as makeDivisibleTv, parseYoloConfig, Sequential, useBackend, type Module } from '@plugconv/core';
import { loadFixture } from '@plugconv/core/node';
import { moduleFixtureNames, packageTestKit } from '@plugconv/test-harness/node';
import { hardSigmoid, hardSwish, MobileNetV3Block, modules } from '../src/index.js';
import * as ref from '@plugconv/test-harness/reference';

const { registry, byMeta, fixturePath } = packageTestKit(import.meta.url, modules);
const FIXTURES = moduleFixtureNames(import.meta.url);

afterAll(() => useBackend('wasm'));

describe('MobileNetV3Block structure', () => {
  it.each(FIXTURES)("%s: state keys are exactly torchvision's", (name) => {
    const f = loadFixture(fixturePath(`modules/${name}.safetensors`));
    const m = byMeta(f.meta);
    expect(m.namedSlots().map(([k]) => k).sort()).toEqual([...f.state.keys()].sort());
    tf.dispose([f.input, f.output, ...f.state.values()]);
    m.dispose();
  });

  it("MobileNetV3-Large's fifteen blocks built alone have torchvision's 2,815,968 parameters", () => {
    const cfg: [number, number, number, number, boolean, string][] = [
      [16, 3, 1, 16, false, 'RE'], [24, 3, 2, 64, false, 'RE'], [24, 3, 1, 72, false, 'RE'], [40, 5, 2, 72, true, 'RE'],
      [40, 5, 1, 120, true, 'RE'], [40, 5, 1, 120, true, 'RE'], [80, 3, 2, 240, false, 'HS'], [80, 3, 1, 200, false, 'HS'],
      [80, 3, 1, 184, false, 'HS'], [80, 3, 1, 184, false, 'HS'], [112, 3, 1, 480, true, 'HS'], [112, 3, 1, 672, true, 'HS'],
      [160, 5, 2, 672, true, 'HS'], [160, 5, 1, 960, true, 'HS'], [160, 5, 1, 960, true, 'HS'],
    ];
    let c1 = 16;
    const blocks = cfg.map(([c2, k, s, exp, se, act]) => {
      const b = new MobileNetV3Block(c1, c2, k, s, exp, se, act);
      c1 = c2;
      return b;
    });
    const all = new Sequential(...blocks);
    expect(all.numParams()).toBe(2815968);
    expect(all.numGradients()).toBe(2815968);
    // torchvision's layout: block 1 has no expansion, so its SE-less depthwise is block.0
    expect(blocks[0]!.namedSlots()[0]![0]).toBe('block.0.0.weight');
    expect(blocks[0]!.namedSlots()[0]![1].variable.shape).toEqual([3, 3, 16, 1]);
    expect(blocks[3]!.namedSlots().map(([k]) => k)).toContain('block.2.fc1.weight');
    all.dispose();
  });

  it("uses torchvision's _make_divisible for the SE squeeze width", () => {
    // exp // 4 of MobileNetV3-Large's SE blocks -> torchvision's squeeze channels
    expect([18, 30, 120, 168, 240, 16, 3].map((v) => makeDivisibleTv(v))).toEqual([24, 32, 120, 168, 240, 16, 8]);
    const m = new MobileNetV3Block(24, 40, 5, 2, 72, true, 'RE');
    expect(m.namedParameters().find(([k]) => k === 'block.2.fc1.weight')![1].shape).toEqual([1, 1, 72, 24]);
    m.dispose();
  });

  it("hard-swish and hard-sigmoid are PyTorch's (relu6(x+3)/6), not tfjs' 0.2x+0.5 nor x*sigmoid(x+3)/6", async () => {
    await useBackend('wasm');
    const x = tf.tensor1d([-4, -3, -1, 0, 1, 2, 3, 4]);
    const hs = Array.from(hardSwish(x).dataSync());
    const hg = Array.from(hardSigmoid(x).dataSync());
    const want = [-4, -3, -1, 0, 1, 2, 3, 4].map((v) => Math.min(Math.max(v + 3, 0), 6) / 6);
    hg.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    hs.forEach((v, i) => expect(v).toBeCloseTo([-4, -3, -1, 0, 1, 2, 3, 4][i]! * want[i]!, 6));
    x.dispose();
  });
});

/** Random torch-layout state for `m` (BN variances positive), as arrays. */
function randomState(m: Module, seed: number): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  const sd = m.stateDict();
  let i = 0;
  for (const [key, t] of sd) {
    const isBnWeight = /\.1\.weight$/.test(key);
    const data = key.endsWith('running_var') ? ref.values(t.size, seed + i, 0.5, 2) : isBnWeight ? ref.values(t.size, seed + i, 0.5, 1.5) : ref.values(t.size, seed + i, -0.6, 0.6);
    out.set(key, { data, shape: t.shape });
    i++;
  }
  tf.dispose([...sd.values()]);
  return out;
}

interface BlockArgs {
  c1: number;
  c2: number;
  k: number;
  s: number;
  exp: number;
  se: boolean;
  act: 'HS' | 'RE';
  d: number;
}

/** torchvision's InvertedResidual forward (eval) from its definition, in float64. */
function referenceBlock(x: ref.Nchw, st: Map<string, { data: Float32Array }>, a: BlockArgs): ref.Nchw {
  const g = (key: string) => st.get(key)!.data;
  const act = a.act === 'HS' ? ref.hardswish : ref.relu;
  const cna = (y: ref.Nchw, i: number, cout: number, k: number, s: number, d: number, groups: number, withAct: boolean) => {
    const p = Math.floor((k - 1) / 2) * d;
    let z = ref.conv2d(y, g(`block.${i}.0.weight`), cout, k, s, p, d, groups);
    z = ref.batchNorm(z, g(`block.${i}.1.weight`), g(`block.${i}.1.bias`), g(`block.${i}.1.running_mean`), g(`block.${i}.1.running_var`), 1e-3);
    return withAct ? act(z) : z;
  };
  let i = 0;
  let y = x;
  if (a.exp !== a.c1) y = cna(y, i++, a.exp, 1, 1, 1, 1, true);
  y = cna(y, i++, a.exp, a.k, a.d > 1 ? 1 : a.s, a.d, a.exp, true);
  if (a.se) {
    const sq = makeDivisibleTv(Math.floor(a.exp / 4));
    let s = ref.globalAvgPool(y);
    s = ref.relu(ref.addBias(ref.conv2d(s, g(`block.${i}.fc1.weight`), sq, 1, 1, 0, 1, 1), g(`block.${i}.fc1.bias`)));
    s = ref.hardsigmoid(ref.addBias(ref.conv2d(s, g(`block.${i}.fc2.weight`), a.exp, 1, 1, 0, 1, 1), g(`block.${i}.fc2.bias`)));
    y = ref.mulChannels(y, s);
    i++;
  }
  y = cna(y, i, a.c2, 1, 1, 1, 1, false);
  return a.s === 1 && a.c1 === a.c2 ? ref.add(y, x) : y;
}

const referenceCases: [string, BlockArgs, [number, number, number, number]][] = [
  ['SE with act RE, residual, odd size 13x11', { c1: 16, c2: 16, k: 3, s: 1, exp: 48, se: true, act: 'RE', d: 1 }, [1, 16, 13, 11]],
  ['SE with HS, stride 2, k 5, odd size 15x9, batch 2', { c1: 8, c2: 12, k: 5, s: 2, exp: 40, se: true, act: 'HS', d: 1 }, [2, 8, 15, 9]],
  ['no expansion (exp == c1) with SE and RE', { c1: 16, c2: 16, k: 3, s: 1, exp: 16, se: true, act: 'RE', d: 1 }, [1, 16, 7, 9]],
  ['dilation 2: depthwise at stride 1, no residual for s 2', { c1: 8, c2: 8, k: 3, s: 2, exp: 24, se: false, act: 'HS', d: 2 }, [1, 8, 11, 10]],
  ['dilation 3 with k 5, residual', { c1: 8, c2: 8, k: 5, s: 1, exp: 32, se: true, act: 'HS', d: 3 }, [1, 8, 14, 13]],
];

describe.each(['cpu', 'wasm'] as const)('MobileNetV3Block against a float64 torchvision reference on %s', (backend) => {
  it.each(referenceCases)('%s', async (_, a, shape) => {
    await useBackend(backend);
    const m = new MobileNetV3Block(a.c1, a.c2, a.k, a.s, a.exp, a.se, a.act, a.d);
    const st = randomState(m, 300 + a.exp);
    m.loadStateDict(new Map([...st].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
    m.eval();
    const xData = ref.values(shape.reduce((p, q) => p * q, 1), 77, -3, 3);
    const want = referenceBlock({ data: Float64Array.from(xData), shape }, st, a);
    const y = tf.tidy(() => tf.transpose(m.forward(tf.transpose(tf.tensor4d(xData, shape), [0, 2, 3, 1])), [0, 3, 1, 2]));
    expect(y.shape).toEqual(want.shape);
    const got = y.dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want.data[i]!) / (1e-4 + 1e-3 * Math.abs(want.data[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
    y.dispose();
    m.dispose();
  });
});

describe('MobileNetV3Block in use', () => {
  it('counts MACs by the rules: convs, BN 4 per element (thop), the SE pool (H*W+1)*C and both SE 1x1 convs', async () => {
    await useBackend('wasm');
    const m = new MobileNetV3Block(16, 24, 3, 2, 64, true, 'HS').eval();
    const x = tf.zeros([1, 20, 20, 16]);
    const { result, macs } = countingMacs(() => tf.tidy(() => m.forward(x)));
    const expand = 64 * 400 * 16 + 4 * 64 * 400;
    const dw = 64 * 100 * 9 + 4 * 64 * 100;
    const se = (100 + 1) * 64 + 16 * 64 + 64 * 16;
    const project = 24 * 100 * 64 + 4 * 24 * 100;
    expect(macs).toBe(expand + dw + se + project);
    tf.dispose([x, result]);
    m.dispose();
  });

  it('trains on cpu (dilated depthwise and SE included): every parameter gets a finite, non-zero gradient', async () => {
    await useBackend('cpu');
    const m = new MobileNetV3Block(8, 8, 3, 1, 24, true, 'HS', 2).train();
    const x = tf.tensor4d(ref.values(2 * 9 * 8 * 8, 5, -3, 3), [2, 9, 8, 8]);
    const vars = m.trainableVariables();
    expect(vars.length).toBe(3 * 3 + 4);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, vars);
    for (const v of vars) {
      const abs = tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]!);
      expect(Number.isFinite(abs)).toBe(true);
      expect(abs).toBeGreaterThan(0);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    m.dispose();
  });

  it('fuse() folds every BN: same eval output, no BN left', async () => {
    await useBackend('wasm');
    const m = new MobileNetV3Block(8, 8, 5, 1, 32, true, 'HS');
    const st = randomState(m, 11);
    m.loadStateDict(new Map([...st].map(([k, v]) => [k, tf.tensor(v.data, v.shape)])));
    m.eval();
    const x = tf.tensor4d(ref.values(10 * 10 * 8, 2, -3, 3), [1, 10, 10, 8]);
    const before = m.forward(x);
    const params = m.numParams();
    fuse(m);
    const after = m.forward(x);
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]).toBeLessThan(1e-4);
    expect(m.namedSlots().some(([k]) => k.includes('running_mean'))).toBe(false);
    // each BN (weight, bias) goes, each conv gains a bias: expand 32, depthwise 32, project 8
    expect(m.numParams()).toBe(params - (32 + 32 + 8));
    tf.dispose([x, before, after]);
    m.dispose();
  });

  it('rejects bad arguments naming them, in code and in a YAML row', () => {
    expect(() => new MobileNetV3Block(16, 24, 3, 2, 64, true, 'XX')).toThrow(/argument 'act' must be 'HS' \(hard-swish\) or 'RE' \(ReLU\), got "XX"/);
    expect(() => new MobileNetV3Block(16, 24, 3, 3, 64)).toThrow(/argument 's' must be 1 or 2/);
    expect(() => new MobileNetV3Block(16, 24, 3, 1, 0)).toThrow(/argument 'exp' must be a positive integer/);
    const yaml = (args: string) => `nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, MobileNetV3Block, ${args}]\nhead:\n  - [[1], 1, Detect, [nc]]\n`;
    const build = (args: string) => buildModel(parseYoloConfig(yaml(args), 'bad.yaml'), { registry, warn: () => {} });
    expect(() => build('[24, 3, 2, 64, maybe, HS]')).toThrow(/row 1.*MobileNetV3Block argument 'se' must be bool/);
    expect(() => build('[24, 3, 2, 64, True, XS]')).toThrow(/row 1.*argument 'act' must be 'HS'/);
  });
});
