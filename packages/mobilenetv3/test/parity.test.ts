import { expect } from 'vitest';
import { describeParity, packageTestKit } from '@plugconv/test-harness/node';
import { modules } from '../src/index.js';

const { registry } = packageTestKit(import.meta.url, modules);

// every fixture in fixtures/modules against torchvision's InvertedResidual on cpu and wasm
describeParity('mobilenetv3', import.meta.url, registry, {
  module: (r, { name, backend }) => {
    console.info(`${name} on ${backend}: max abs error ${r.maxAbsError.toExponential(2)}`);
    expect(r.maxAbsError).toBeLessThan(1e-3);
  },
});
