import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

describeGpuParity('saconv', import.meta.url, new Registry(coreModules, modules), ['SAConv2d_16_32_k3_s1', 'SAConv2d_16_32_k3_s2', 'C2f_SAConv_32_32_n1_sc']);
