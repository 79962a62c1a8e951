import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { deploy, makeDivisibleTorchvision as makeDivisible, reparameterize, useBackend, type Module } from '@plugconv/core';
import { RepGhostBottleneck, RepGhostModule, SqueezeExcite } from '../src/index.js';
import { evalValues, randomizeBatchNorms, randomizeConvWeights, worstRatio } from './helpers.js';

/** Training-structure eval output vs the same module after `transform`, on random weights and BN statistics. */
function deployEquality(make: () => Module<tf.Tensor, tf.Tensor>, inputShape: number[], transform: (m: Module<tf.Tensor, tf.Tensor>) => void) {
  const m = make();
  randomizeBatchNorms(m, 7);
  const x = tf.randomNormal(inputShape, 0, 1, 'float32', 3);
  const before = evalValues(m, x);
  const paramsBefore = m.numParams();
  transform(m);
  const after = evalValues(m, x);
  const r = { ...worstRatio(after.values, before.values), shape: after.shape, paramsBefore, paramsAfter: m.numParams() };
  expect(after.shape).toEqual(before.shape);
  x.dispose();
  m.dispose();
  return r;
}

describe('RepGhostBottleneck re-parameterisation (wasm)', () => {
  it('stride 2 with SE and a projection shortcut: deploy keeps the output, halves the map, drops parameters', () => {
    const r = deployEquality(() => new RepGhostBottleneck(16, 24, 32, 3, 2, 0.25), [2, 9, 9, 16], (m) => reparameterize(m));
    expect(r.shape).toEqual([2, 5, 5, 32]);
    // two modules lose 3*mid and 3*out: fusion BN (2c) and cheap BN (2c) go, a bias (c) comes
    expect(r.paramsBefore - r.paramsAfter).toBe(3 * 24 + 3 * 32);
    expect(r.ratio).toBeLessThanOrEqual(1);
    const d = deployEquality(() => new RepGhostBottleneck(16, 24, 32, 3, 2, 0.25), [2, 9, 9, 16], (m) => deploy(m));
    // deploy() also folds ghost1/ghost2's primary BNs, bn_dw and the shortcut's two BNs (each 2c -> c)
    expect(d.paramsBefore - d.paramsAfter).toBe(3 * 24 + 3 * 32 + 24 + 32 + 24 + 16 + 32);
    expect(d.ratio).toBeLessThanOrEqual(1);
  });

  it('stride 1 with and without the identity shortcut: deploy keeps the output', () => {
    for (const shortcut of [true, false]) {
      const r = deployEquality(() => new RepGhostBottleneck(24, 16, 24, 3, 1, 0, shortcut), [1, 8, 8, 24], (m) => deploy(m));
      expect(r.shape).toEqual([1, 8, 8, 24]);
      expect(r.ratio).toBeLessThanOrEqual(1);
    }
  });

  it('folds an identity branch and a 5x5 cheap conv at its centre tap', () => {
    const r = deployEquality(() => new RepGhostModule(8, 16, 1, 5, 1, true, false, true, true), [1, 7, 7, 8], (m) => reparameterize(m));
    expect(r.paramsBefore - r.paramsAfter).toBe(3 * 16);
    expect(r.ratio).toBeLessThanOrEqual(1);
  });

  it('the shortcut=False residual is skipped only when in == out and stride == 1 (as the reference implementation)', () => {
    expect(new RepGhostBottleneck(16, 16, 16, 3, 1, 0, false).shortcut.layers).toHaveLength(0);
    const proj = new RepGhostBottleneck(16, 16, 24, 3, 1, 0, false);
    expect(proj.shortcut.layers).toHaveLength(4);
    const x = tf.randomNormal([1, 4, 4, 16]);
    const withShortcut = new RepGhostBottleneck(16, 16, 16, 3, 1, 0, true);
    const without = new RepGhostBottleneck(16, 16, 16, 3, 1, 0, false);
    without.loadStateDict(withShortcut.stateDict());
    const diff = tf.tidy(() => tf.sub(withShortcut.eval().forward(x), without.eval().forward(x)));
    expect(Math.max(...tf.abs(tf.sub(diff, x)).dataSync())).toBeLessThan(1e-5);
    for (const t of [x, diff]) t.dispose();
    for (const m of [proj, withShortcut, without]) m.dispose();
  });

  it('a deploy-built module loads a re-parameterised state dict (PyTorch deploy=True checkpoints)', () => {
    const train = new RepGhostModule(8, 16);
    randomizeBatchNorms(train, 3);
    const x = tf.randomNormal([1, 6, 6, 8]);
    const ref = evalValues(train, x);
    reparameterize(train);
    const built = new RepGhostModule(8, 16, 1, 3, 1, true, true);
    built.loadStateDict(train.stateDict());
    expect([...built.stateDict().keys()]).toEqual([...train.stateDict().keys()]);
    expect(worstRatio(evalValues(built, x).values, ref.values).ratio).toBeLessThanOrEqual(1);
    x.dispose();
    train.dispose();
    built.dispose();
  });

  it('switchToDeploy is idempotent and fuse() before it is safe', () => {
    const m = new RepGhostModule(8, 8);
    randomizeBatchNorms(m, 5);
    const x = tf.randomNormal([1, 5, 5, 8]);
    const ref = evalValues(m, x);
    m.fuse();
    m.switchToDeploy();
    m.switchToDeploy();
    expect(m.deployed).toBe(true);
    expect(m.numParams()).toBe(8 * 8 + 8 + 9 * 8 + 8);
    expect(worstRatio(evalValues(m, x).values, ref.values).ratio).toBeLessThanOrEqual(1);
    x.dispose();
    m.dispose();
  });
});

describe('memory', () => {
  it('forwards and deploy() leak no tensors', () => {
    const m = new RepGhostBottleneck(8, 12, 16, 3, 2, 0.25);
    const x = tf.randomNormal([1, 8, 8, 8]);
    m.eval();
    tf.dispose(m.forward(x));
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(m.forward(x));
    expect(tf.memory().numTensors).toBe(start);
    const slots = m.namedSlots().length;
    deploy(m);
    // only the module's own variables changed: every tensor left is one of its slots or the input
    expect(tf.memory().numTensors - start).toBe(m.namedSlots().length - slots);
    tf.dispose(m.forward(x));
    expect(tf.memory().numTensors - start).toBe(m.namedSlots().length - slots);
    x.dispose();
    m.dispose();
  });
});

describe('SqueezeExcite', () => {
  it('rounds the squeeze width as the RepGhost repository (divisor 4)', () => {
    expect(makeDivisible(24 * 0.25, 4)).toBe(8);
    expect(makeDivisible(40 * 0.25, 4)).toBe(12);
    expect(makeDivisible(120 * 0.25, 4)).toBe(32);
    expect(makeDivisible(2, 4)).toBe(4);
    expect(new SqueezeExcite(24).reduced).toBe(8);
  });
});

describe('training', () => {
  it('gradients reach every parameter of the training structure, fusion BNs included (cpu)', async () => {
    await useBackend('cpu');
    const m = new RepGhostBottleneck(8, 12, 16, 3, 2, 0.25);
    // seeded, and the SE's squeeze biased positive so no ReLU channel is dead (a dead one has an exact 0 gradient)
    randomizeConvWeights(m, 21);
    randomizeBatchNorms(m, 22);
    m.se!.convReduce.bias!.assign(tf.fill([m.se!.reduced], 1));
    m.train();
    const x = tf.randomNormal([2, 6, 6, 8], 0, 1, 'float32', 23);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(x))) as tf.Scalar, m.trainableVariables());
    const names = m.namedParameters().map(([k]) => k);
    expect(names).toContain('ghost1.fusion_bn.0.weight');
    expect(names).toContain('se.conv_expand.bias');
    const zero = Object.entries(grads).filter(([, g]) => tf.max(tf.abs(g)).dataSync()[0] === 0);
    expect(zero).toEqual([]);
    expect(Object.keys(grads)).toHaveLength(m.trainableVariables().length);
    for (const g of Object.values(grads)) g.dispose();
    x.dispose();
    m.dispose();
    await useBackend('wasm');
  });
});

describe('errors name the problem', () => {
  it('rejects bad arguments and inputs', () => {
    expect(() => new RepGhostModule(8, 16, 1, 4)).toThrow(/RepGhostModule: dw_size must be odd/);
    expect(() => new RepGhostBottleneck(8, 0, 16)).toThrow(/RepGhostBottleneck: mid_chs must be a positive integer, got 0/);
    expect(() => new RepGhostBottleneck(8, 8, 16, 2)).toThrow(/dw_kernel_size must be odd/);
    const m = new RepGhostBottleneck(8, 8, 8);
    const x = tf.zeros([1, 4, 4, 6]);
    expect(() => m.forward(x)).toThrow(/RepGhostBottleneck: expected an NHWC input with 8 channels, got shape \[1,4,4,6\]/);
    x.dispose();
    m.dispose();
  });
});
