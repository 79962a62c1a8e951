import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

describeGpuParity('repghost', import.meta.url, new Registry(coreModules, modules), [
  'C2f_RepGhost_32_32_n1_sc',
  'RepGhostBottleneck_16_32_k3_s2_se',
  'RepGhostBottleneck_16_24_k5_s1_proj',
  'RepGhostBottleneck_24_24_k3_s1_nosc',
  'RepGhostModule_16_32_k3_s2_repid_norelu',
]);
