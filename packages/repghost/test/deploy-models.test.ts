import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compareOutputs, deploy, fromTorchLayout, reparameterize, useBackend } from '@plugconv/core';
import { checkFixture, loadFixture } from '@plugconv/core/node';
import { coreFixturePath, fixturePath, modelFromConfig } from '@plugconv/test-harness/node';
import { calibrateBatchNorms, configModel, normalizeHeadLogits, randomizeBatchNorms, randomizeConvWeights, registry, worstRatio } from './helpers.js';

describe.each(['cpu', 'wasm'] as const)('deploy() on whole models (%s)', (backend) => {
  it('yolov8 at scale t: deployed predictions match the training structure and the ultralytics fixture', async () => {
    await useBackend(backend);
    // core's ultralytics fixture (yolov8.yaml at the tiny scale t)
    const fx = loadFixture(coreFixturePath('models/yolov8-t.safetensors'));
    const model = modelFromConfig(coreFixturePath('models/yolov8.yaml'), registry, 't');
    model.loadStateDict(fx.state);
    const x = fromTorchLayout(fx.input);
    const before = model.predict(x);
    const vsFixture = compareOutputs(before, fx.output);
    const paramsBefore = model.numParams();
    deploy(model);
    const after = model.predict(x);
    const vsTrain = compareOutputs(after, before);
    const deployedVsFixture = compareOutputs(after, fx.output);
    console.log(
      `yolov8-t ${backend}: ${paramsBefore} -> ${model.numParams()} params; max |err| before vs fixture ${vsFixture.maxAbsError.toExponential(2)}, ` +
        `deployed vs before ${vsTrain.maxAbsError.toExponential(2)}, deployed vs fixture ${deployedVsFixture.maxAbsError.toExponential(2)}`,
    );
    expect(paramsBefore).toBe(1174568);
    // Conv+BN folding: 2c -> c per Conv, as ultralytics' fuse()
    expect(model.numParams()).toBeLessThan(paramsBefore);
    expect(vsFixture.pass).toBe(true);
    expect(vsTrain.pass).toBe(true);
    expect(deployedVsFixture.pass).toBe(true);
    for (const t of [x, before, after, fx.input, fx.output, ...fx.state.values()]) t.dispose();
    model.dispose();
  });

  it('yolov8-C2f-RepGhost at scale t: deployed predictions match the training structure', async () => {
    await useBackend(backend);
    const model = configModel('yolov8-C2f-RepGhost.yaml', 't', '8.2');
    // weights and BNs as the reference fixtures' models are made (seeded): normal conv weights of std 1/sqrt(fan_in),
    // random BN affine parameters with running stats from this input, unit-variance head logits; 64x64 as the
    // t-scale fixtures. No class sigmoid saturates, so every output takes part in the comparison.
    randomizeConvWeights(model, 1000);
    randomizeBatchNorms(model, 11);
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 5);
    calibrateBatchNorms(model, x);
    normalizeHeadLogits(model, x);
    const before = model.predict(x);
    const paramsBefore = model.numParams();
    deploy(model);
    const after = model.predict(x);
    const r = worstRatio(after.dataSync() as Float32Array, before.dataSync() as Float32Array);
    console.log(`yolov8-C2f-RepGhost-t ${backend}: ${paramsBefore} -> ${model.numParams()} params; deployed vs training structure max |err| ${r.maxAbs.toExponential(2)}, worst |err|/tol ${r.ratio.toFixed(3)}`);
    expect(paramsBefore).toBe(972760);
    expect(model.numParams()).toBeLessThan(paramsBefore);
    expect(after.shape).toEqual([1, 84, 84]);
    const cls = (before.dataSync() as Float32Array).subarray(4 * 84);
    expect(cls.filter((v) => v > 0.01 && v < 0.99).length / cls.length).toBeGreaterThan(0.9);
    expect(model.namedParameters().some(([k]) => k.includes('fusion_bn'))).toBe(false);
    expect(r.ratio).toBeLessThanOrEqual(1);
    for (const t of [x, before, after]) t.dispose();
    model.dispose();
  });

  it('yolo26-C3k2-RepGhost at scale t (end2end): still matches ultralytics 8.4 after reparameterize() and after deploy()', async () => {
    const path = fixturePath(import.meta.url, 'models/yolo26-C3k2-RepGhost-t.safetensors');
    const make = () => configModel('yolo26-C3k2-RepGhost.yaml', 't');
    const rep = await checkFixture(path, make, backend, (m) => reparameterize(m));
    const dep = await checkFixture(path, make, backend, (m) => deploy(m));
    console.log(`yolo26-C3k2-RepGhost-t ${backend}: reparameterized ${rep.params} params, max |err| ${rep.maxAbsError.toExponential(2)}; deployed ${dep.params} params, max |err| ${dep.maxAbsError.toExponential(2)}`);
    expect(rep.params).toBeLessThan(rep.meta.params as number);
    expect(dep.params).toBeLessThan(rep.params);
    expect(rep.pass).toBe(true);
    expect(dep.pass).toBe(true);
    expect(dep.fixture.meta.end2end).toBe(true);
  });
});
