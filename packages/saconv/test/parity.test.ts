import { describe, expect, it } from 'vitest';
import { checkFixture } from '@plugconv/core/node';
import { byMeta, fixturePath } from './helpers.js';

// PyTorch references (the seed's SAConv2d without its conv bias, random weights and BN stats): eval outputs
// must match to |y - ref| <= 1e-4 + 1e-3|ref| on both Node backends.
describe.each(['cpu', 'wasm'] as const)('PyTorch parity on %s', (backend) => {
  it.each(['SAConv2d_16_32_k3_s1', 'SAConv2d_16_32_k3_s2', 'C2f_SAConv_32_32_n1_sc'])('%s matches the reference', async (name) => {
    const r = await checkFixture(fixturePath(`${name}.safetensors`), byMeta, backend);
    console.log(`${name} ${backend}: max |y - ref| = ${r.maxAbsError.toExponential(2)}, worst ratio ${r.worstRatio.toFixed(3)}`);
    expect(r.params).toBe(r.fixture.meta.params);
    expect(r.pass).toBe(true);
  });
});
