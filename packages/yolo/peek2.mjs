import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, buildModel, parseYoloConfig } from '@plugconv/core';
import { readCheckpointFile } from '@plugconv/core/node';
import { registry } from './dist/index.js';
tf.env().set('PROD', true);
await useBackend('wasm');
const ck = readCheckpointFile(process.argv[2]);
const cfg = parseYoloConfig(JSON.stringify(ck.yaml));
for (const probe of [128, 64, 128, 64, 128, 64]) {
  const t = performance.now();
  const m = buildModel(cfg, { registry, warn: () => {}, ultralytics: ck.semantics.version, strideProbe: probe });
  console.log(probe, (performance.now() - t).toFixed(1)); m.dispose();
}
