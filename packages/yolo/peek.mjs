import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, buildModel, parseYoloConfig, stateDictToTf } from '@plugconv/core';
import { readCheckpointFile } from '@plugconv/core/node';
import { registry, checkpointModel } from './dist/index.js';
tf.env().set('PROD', true);
await useBackend(process.argv[3] ?? 'wasm');
const f = process.argv[2];
for (let i = 0; i < 3; i++) {
let t = performance.now(); const lap = (w) => { const n = performance.now(); console.log(w, (n - t).toFixed(1)); t = n; };
const ck = readCheckpointFile(f); lap('read');
const cfg = parseYoloConfig(JSON.stringify(ck.yaml));
const m = buildModel(cfg, { registry, warn: () => {}, ultralytics: ck.semantics.version }); lap('build');
const w = stateDictToTf(ck.stateDict); lap('toTf');
m.loadStateDict(w); lap('load');
for (const x of w.values()) x.dispose(); m.dispose();
const t0 = performance.now(); const l = checkpointModel(ck, { warn: () => {} }); console.log('checkpointModel', (performance.now() - t0).toFixed(1)); l.model.dispose();
}
