import { describe, expect, it } from 'vitest';
import { deploy } from '@plugconv/core';
import { checkFixture } from '@plugconv/core/node';
import { byMeta, fixturePath, shippedModel } from './helpers.js';

describe.each(['cpu', 'wasm'] as const)('PyTorch parity on %s', (backend) => {
  it.each(['DSConv2D_16_32_k3_b8', 'DSConv2D_16_32_k3_float', 'C2f_DSConv_32_32_n1_sc'])('%s matches the reference', async (name) => {
    const r = await checkFixture(fixturePath(`${name}.safetensors`), byMeta, backend);
    expect(r.params).toBe(r.fixture.meta.params);
    expect(r.maxAbsError).toBeLessThan(1e-3);
    expect(r.pass).toBe(true);
  });

  it('yolov8-C2f-DSConv at scale t (64x64) matches end to end (shipped config)', async () => {
    const r = await checkFixture(fixturePath('models/yolov8-C2f-DSConv-t.safetensors'), () => shippedModel('yolov8-C2f-DSConv.yaml', 't'), backend);
    expect(r.params).toBe(r.fixture.meta.params);
    expect(r.pass).toBe(true);
  });

  it('yolov8-C2f-DSConv at t still matches after deploy() (quantised kernels and BN folded into plain convs)', async () => {
    const r = await checkFixture(fixturePath('models/yolov8-C2f-DSConv-t.safetensors'), () => shippedModel('yolov8-C2f-DSConv.yaml', 't'), backend, deploy);
    expect(r.params).toBeLessThan(r.meta.params as number);
    expect(r.pass).toBe(true);
  });
});
