import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv, useBackend } from '../src/index.js';
import { expectNoLeak } from '@plugconv/test-harness/node';
import { yolov8 } from './helpers.js';

describe('memory', () => {
  it('tf.memory().numTensors is unchanged after 20 eval forwards of yolov8-t', async () => {
    const model = yolov8('t');
    const x = tf.randomUniform([1, 64, 64, 3]);
    expectNoLeak(() => model.predict(x), 20);
    x.dispose();
    model.dispose();
  });
});

describe('a training step of yolov8 at scale t, 64x64, on cpu', () => {
  it('changes every trainable parameter, not the DFL, and moves BN running stats as PyTorch', async () => {
    await useBackend('cpu');
    tf.setBackend('cpu');
    const model = yolov8('t');
    model.train();
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 7);
    const slots = model.namedSlots();
    const before = new Map(slots.map(([k, s]) => [k, s.variable.dataSync().slice()]));

    // expected running stats of the first BN, from the first conv's output before the step (PyTorch's rule)
    const first = model.model.items[0] as Conv;
    const bn = first.bn as BatchNorm2d;
    const { mean, variance } = tf.tidy(() => tf.moments(first.conv.forward(x), [0, 1, 2]));
    const n = 2 * 32 * 32;
    const m = 0.03;
    const rm0 = bn.runningMean.dataSync().slice();
    const rv0 = bn.runningVar.dataSync().slice();
    const bm = mean.dataSync();
    const bv = variance.dataSync();

    const vars = model.trainableVariables();
    const opt = tf.train.sgd(0.1);
    const { value, grads } = tf.variableGrads(() => {
      const maps = model.forward(x) as tf.Tensor[];
      return maps.map((t) => tf.mean(tf.square(t))).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
    }, vars);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(Object.keys(grads).length).toBe(vars.length);
    opt.applyGradients(grads);

    const unchanged: string[] = [];
    for (const [key, slot] of slots) {
      if (slot.kind !== 'parameter') continue;
      const same = slot.variable.dataSync().every((v, i) => v === before.get(key)![i]);
      if (slot.trainable === same) unchanged.push(`${key} trainable=${slot.trainable} changed=${!same}`);
    }
    expect(unchanged).toEqual([]);
    expect(model.namedParameters().find(([k]) => k === 'model.22.dfl.conv.weight')![1].dataSync()).toEqual(Float32Array.from({ length: 16 }, (_, i) => i));

    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    for (let c = 0; c < rm.length; c++) {
      expect(rm[c]).toBeCloseTo((1 - m) * rm0[c]! + m * bm[c]!, 5);
      expect(rv[c]).toBeCloseTo((1 - m) * rv0[c]! + m * bv[c]! * (n / (n - 1)), 5);
    }
    expect(Math.max(...Array.from(rm, (v, c) => Math.abs(v - rm0[c]!)))).toBeGreaterThan(0);
    model.dispose();
  });
});
