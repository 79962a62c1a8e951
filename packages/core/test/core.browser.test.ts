import { describeGpuParity } from '@plugconv/test-harness/browser';
import { coreModules, Registry } from '../src/index.js';

const registry = new Registry(coreModules);

// ultralytics 8.2: YOLOv8's blocks and yolov8-t
describeGpuParity('core', import.meta.url, registry, ['Conv_16_32_k3_s2', 'C2f_32_32_n2_sc', 'SPPF_32_32_k5'], [
  { fixture: 'yolov8-t', yaml: 'yolov8.yaml', scale: 't', ultralytics: '8.2' },
]);

// ultralytics 8.4: every module fixture of fixtures/v11/modules (C3k2, C2PSA, A2C2f, SPPF with n and shortcut), and
// YOLO11 and YOLO26 (end2end: the raw one-to-one output, then the top-k) at scale t, built from their YAMLs in the
// browser with the semantics their fixture JSON names
const v11Modules = Object.keys(import.meta.glob('../fixtures/v11/modules/*.json')).map((p) => p.split('/').pop()!.replace(/\.json$/, ''));
describeGpuParity('core 8.4', import.meta.url, registry, v11Modules, [
  { fixture: 'yolo11-t', yaml: 'yolo11.yaml', scale: 't' },
  { fixture: 'yolo26-t', yaml: 'yolo26.yaml', scale: 't' },
], { modules: 'v11/modules/', models: 'v11/models/' });
