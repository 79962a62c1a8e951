import { describe, expect, it } from 'vitest';
import { deploy } from '@plugconv/core';
import { checkFixture } from '@plugconv/core/node';
import { describeParity, fixturePath, NODE_BACKENDS } from '@plugconv/test-harness/node';
import { configModel, registry } from './helpers.js';

// every fixture in fixtures/modules and fixtures/models (yolov8-C2f-DSConv and yolo11-C3k2-DSConv at scale t,
// 64x64) on cpu and wasm
describeParity('dsconv', import.meta.url, registry, {
  module: (r, { name, backend }) => {
    console.log(`${name} ${backend}: max |error| ${r.maxAbsError.toExponential(2)}, worst ratio ${r.worstRatio.toFixed(3)}`);
    expect(r.maxAbsError).toBeLessThan(1e-3);
  },
});

describe.each(NODE_BACKENDS)('deploy() against PyTorch on %s', (backend) => {
  it('yolov8-C2f-DSConv at t still matches after deploy() (quantised kernels and BN folded into plain convs)', async () => {
    const r = await checkFixture(fixturePath(import.meta.url, 'models/yolov8-C2f-DSConv-t.safetensors'), () => configModel('yolov8-C2f-DSConv.yaml', 't', '8.2'), backend, deploy);
    expect(r.params).toBeLessThan(r.meta.params as number);
    expect(r.pass).toBe(true);
  });
});
