import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '../src/index.js';

describeGpuParity('core', import.meta.url, new Registry(coreModules), ['Conv_16_32_k3_s2', 'C2f_32_32_n2_sc', 'SPPF_32_32_k5'], [
  { fixture: 'yolov8-t', yaml: 'yolov8.yaml', scale: 't', ultralytics: '8.2' },
]);
