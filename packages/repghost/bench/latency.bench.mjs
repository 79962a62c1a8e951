// Latency of yolov8n-C2f-RepGhost at 640x640 on tfjs' wasm backend (SIMD, single thread), in its training
// structure, after reparameterize() and after deploy(), against yolov8n as built and fused. Prints a markdown
// table: median of RUNS timed eval forwards (awaiting the data) after WARMUP untimed ones.
// Run with the package's bench script (after a build), or alone:
//   node packages/repghost/bench/latency.bench.mjs [--runs 7]
import * as tf from '@tensorflow/tfjs-core';
import { coreModules, deploy, Registry, reparameterize, summarize, useBackend } from '@plugconv/core';
import { benchModel, interleavedTimes, option } from '@plugconv/test-harness/timing';
import { modules } from '../dist/index.js';

const RUNS = Number(option('runs', '7'));
const WARMUP = 2;
const SIZE = 640;
const registry = new Registry(coreModules, modules);

await useBackend('wasm');
const x = tf.randomUniform([1, SIZE, SIZE, 3]);
const rows = [];
for (const [label, cfg, stages] of [
  ['yolov8n', 'yolov8.yaml', [['as built', () => {}], ['deploy() (= fuse)', deploy]]],
  ['yolov8n-C2f-RepGhost', 'yolov8-C2f-RepGhost.yaml', [['training structure', () => {}], ['reparameterize()', reparameterize], ['deploy()', deploy]]],
]) {
  const model = benchModel(import.meta.url, registry, cfg);
  for (const [stage, apply] of stages) {
    apply(model);
    const s = summarize(model, SIZE);
    const [{ median: ms }] = await interleavedTimes([() => model.predict(x)], RUNS, WARMUP);
    rows.push(`| ${label} | ${stage} | ${s.params.toLocaleString('en-US')} | ${s.gflops.toFixed(2)} | ${ms.toFixed(0)} |`);
    console.error(rows[rows.length - 1]);
  }
  model.dispose();
}
x.dispose();
console.log(`wasm (SIMD, 1 thread), 1x3x${SIZE}x${SIZE}, median of ${RUNS} after ${WARMUP} warm-up, Node ${process.version}`);
console.log('| model | structure | params | GFLOPs | latency ms |\n|---|---|---:|---:|---:|');
console.log(rows.join('\n'));
