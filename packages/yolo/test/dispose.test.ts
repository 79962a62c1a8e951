import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { deploy, useBackend } from '@plugconv/core';
import { loadModel, shippedConfigs } from '../src/configs.js';

beforeAll(() => useBackend('wasm'));

// dispose() frees everything a model holds: its variables and what modules keep beside them (deployed CSP blocks'
// kernel slices, attention's cached pieces), whatever the modules' constructors made along the way
describe('dispose() frees every tensor a model made', () => {
  it.each(shippedConfigs())('%s at n: built, deployed, run twice, disposed: tensors and bytes as before', (cfg) => {
    // 128 px: a multiple of the P6 configs' stride 64, and SAConv2d's switch padding needs maps of 3x3 or more
    const x = tf.zeros([1, 128, 128, 3]);
    const before = tf.memory();
    const model = loadModel(cfg, { scale: 'n', warn: () => {} });
    deploy(model);
    model.eval();
    for (let i = 0; i < 2; i++) tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBeGreaterThan(before.numTensors);
    model.dispose();
    expect([tf.memory().numTensors, tf.memory().numBytes]).toEqual([before.numTensors, before.numBytes]);
    x.dispose();
  });
});
