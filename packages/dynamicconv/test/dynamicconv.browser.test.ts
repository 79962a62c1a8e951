import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

// batch-2 fixtures: each sample has its own mixed kernel
describeGpuParity('dynamicconv', import.meta.url, new Registry(coreModules, modules), [
  'DynamicConv_16_32_k3_s2',
  'C2f_DynamicConv_32_32_n1_sc',
  'C2f_GhostModule_DynamicConv_32_32_n1',
]);
