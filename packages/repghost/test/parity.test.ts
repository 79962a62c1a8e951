import { expect } from 'vitest';
import { deploy, reparameterize } from '@plugconv/core';
import { checkFixture } from '@plugconv/core/node';
import { describeParity } from '@plugconv/test-harness/node';
import { registry } from './helpers.js';

/** Counts pinned by hand for the C2f fixture: as trained, after reparameterize(), after deploy(). */
const PINNED: Record<string, { params: number; maxAbsError: number; reparameterized: number; deployed: number }> = {
  // deployed: 3584 minus the folded BNs: cv1 and cv2 (2*32 -> 32 each) and both primary convs (2*16 -> 16 each)
  C2f_RepGhost_32_32_n1_sc: { params: 3680, maxAbsError: 1e-4, reparameterized: 3584, deployed: 3584 - 32 - 32 - 16 - 16 },
};

// every fixture in fixtures/modules on cpu and wasm in the training structure (the common check), then after
// reparameterize() (the reference's deploy_params) and after deploy() (re-parameterisation plus Conv+BN folding)
describeParity('repghost', import.meta.url, registry, {
  module: async (train, { name, path, backend, make }) => {
    const rep = await checkFixture(path, make, backend, (m) => reparameterize(m));
    expect(rep.params).toBe(rep.meta.deploy_params);
    expect(rep.pass).toBe(true);
    const dep = await checkFixture(path, make, backend, (m) => deploy(m));
    expect(dep.params).toBeLessThan(rep.params);
    expect(dep.pass).toBe(true);
    console.log(`${name} ${backend}: max |err| ${train.maxAbsError.toExponential(2)} / reparameterized ${rep.maxAbsError.toExponential(2)} (${rep.params} params) / deployed ${dep.maxAbsError.toExponential(2)} (${dep.params} params)`);
    const pinned = PINNED[name];
    if (pinned) {
      expect(train.params).toBe(pinned.params);
      expect(train.maxAbsError).toBeLessThan(pinned.maxAbsError);
      expect(rep.params).toBe(pinned.reparameterized);
      expect(dep.params).toBe(pinned.deployed);
    }
  },
});
