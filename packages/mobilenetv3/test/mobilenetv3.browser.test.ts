import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

describeGpuParity('mobilenetv3', import.meta.url, new Registry(coreModules, modules), ['MobileNetV3Block_16_24_k3_s2_se_hs', 'MobileNetV3Block_24_24_k5_s1_re']);
