import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '@plugconv/core';
import { modules } from '../src/index.js';

describeGpuParity('dsconv', import.meta.url, new Registry(coreModules, modules), ['DSConv2D_16_32_k3_b8', 'DSConv2D_16_32_k3_float', 'C2f_DSConv_32_32_n1_sc'], [
  { fixture: 'yolov8-C2f-DSConv-t', yaml: 'yolov8-C2f-DSConv.yaml', scale: 't', ultralytics: '8.2' },
]);
