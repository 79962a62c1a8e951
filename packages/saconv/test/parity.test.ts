import { describeParity } from '@plugconv/test-harness/node';
import { registry } from './helpers.js';

// PyTorch references (the reference SAConv2d without its conv bias, random weights and BN stats): eval outputs
// must match to |y - ref| <= 1e-4 + 1e-3|ref| on both Node backends, for every fixture in fixtures/modules.
describeParity('saconv', import.meta.url, registry, {
  module: (r, { name, backend }) => console.log(`${name} ${backend}: max |y - ref| = ${r.maxAbsError.toExponential(2)}, worst ratio ${r.worstRatio.toFixed(3)}`),
});
