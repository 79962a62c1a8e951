// Eval latency of yolov8n-DSConv and yolov8n-C2f-DSConv on wasm (Node, one thread): float (bits 0), quantised
// (bits 8: every forward re-quantises the DSConv kernels from their float shadows) and deployed (deploy(): the
// quantised kernels and BatchNorms folded into plain convs once). Median of RUNS forwards after a warm-up, the
// three variants interleaved. Run after a build:  npx tsc -b packages/dsconv && node packages/dsconv/bench/latency.mjs
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { buildModel, coreModules, deploy, Registry, useBackend } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { modules, setQuantization } from '../dist/index.js';

tf.env().set('PROD', true);
await useBackend('wasm');
const runs = Number(process.env.RUNS ?? 7);
const imgsz = Number(process.env.IMGSZ ?? 640);
const registry = new Registry(coreModules, modules);
const build = (cfg) => buildModel(loadYoloConfig(fileURLToPath(new URL(`../../yolo/configs/${cfg}`, import.meta.url))), { registry, scale: 'n', warn: () => {} }).eval();
const x = tf.randomUniform([1, imgsz, imgsz, 3], 0, 1, 'float32', 1);
const time = (m) => {
  const t0 = performance.now();
  const y = m.predict(x);
  y.dataSync();
  y.dispose();
  return performance.now() - t0;
};
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

console.log(`| config | bits 0 (float) ms | bits 8 ms | deployed (bits 8 folded) ms |`);
console.log('|---|---:|---:|---:|');
for (const cfg of ['yolov8-DSConv.yaml', 'yolov8-C2f-DSConv.yaml']) {
  const float = build(cfg);
  setQuantization(float, { bits: 0 });
  const quant = build(cfg);
  const deployed = build(cfg);
  deployed.loadStateDict(quant.stateDict());
  deploy(deployed);
  const models = [float, quant, deployed];
  const times = models.map(() => []);
  models.forEach((m) => time(m));
  for (let r = 0; r < runs; r++) models.forEach((m, i) => times[i].push(time(m)));
  console.log(`| ${cfg.replace('.yaml', '').replace('yolov8', 'yolov8n')} | ${times.map((t) => median(t).toFixed(0)).join(' | ')} |`);
  models.forEach((m) => m.dispose());
}
