// Eval latency of yolov8n-DSConv and yolov8n-C2f-DSConv on wasm (Node, one thread): float (bits 0), quantised
// (bits 8: every forward re-quantises the DSConv kernels from their float shadows) and deployed (deploy(): the
// quantised kernels and BatchNorms folded into plain convs once). Median of RUNS forwards after two warm-up
// rounds, the three variants interleaved. Run with the package's bench script (`pnpm --filter @plugconv/dsconv
// bench`, after a build), or alone:  node packages/dsconv/bench/latency.bench.mjs [--runs 7] [--imgsz 640]
import * as tf from '@tensorflow/tfjs-core';
import { coreModules, deploy, Registry, useBackend } from '@plugconv/core';
import { benchModel, interleavedMedians, option } from '@plugconv/test-harness/timing';
import { modules, setQuantization } from '../dist/index.js';

await useBackend('wasm');
const runs = Number(option('runs', '7'));
const imgsz = Number(option('imgsz', '640'));
const registry = new Registry(coreModules, modules);
const build = (cfg) => benchModel(import.meta.url, registry, cfg);
const x = tf.randomUniform([1, imgsz, imgsz, 3], 0, 1, 'float32', 1);

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
  const times = interleavedMedians(models.map((m) => () => m.predict(x)), runs);
  console.log(`| ${cfg.replace('.yaml', '').replace('yolov8', 'yolov8n')} | ${times.map((t) => t.toFixed(0)).join(' | ')} |`);
  models.forEach((m) => m.dispose());
}
x.dispose();
