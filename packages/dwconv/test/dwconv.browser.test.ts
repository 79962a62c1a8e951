import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

describeGpuParity('dwconv', import.meta.url, new Registry(coreModules, modules), ['DWSConv_16_32_k3_d2']);
