import { expect } from 'vitest';
import { describeParity, packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

const { registry } = packageTestKit(import.meta.url, modules);

/** Parameter counts pinned by hand: depthwise 16*9 + BN 32, pointwise 16*32 + BN 64. */
const PARAMS: Record<string, number> = { DWSConv_16_32_k3_d2: 752 };

// every fixture in fixtures/modules (k 3, s 1, d 2) against the PyTorch oracle on cpu and wasm
describeParity('dwconv', import.meta.url, registry, {
  module: (r, { name, backend }) => {
    console.info(`${name} on ${backend}: max abs error ${r.maxAbsError.toExponential(2)}`);
    if (name in PARAMS) expect(r.params).toBe(PARAMS[name]);
    expect(r.maxAbsError).toBeLessThan(1e-3);
  },
});
