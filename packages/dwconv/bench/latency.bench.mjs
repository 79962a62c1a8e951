// Latency of DWSConv against the Conv it replaces, on wasm (default) or cpu: each of the six replaced rows of
// yolov8-DWSConv at scale n and 640x640 alone, then the whole models yolov8n and yolov8n-DWSConv.
// Prints Markdown tables (the ones in ../README.md). Run with the package's bench script (after a build), or alone:
//   node packages/dwconv/bench/latency.bench.mjs [--backend wasm] [--runs 15] [--model-runs 9]
import * as tf from '@tensorflow/tfjs-core';
import { Conv, coreModules, Registry, summarize, useBackend } from '@plugconv/core';
import { benchModel, forwardMedians, interleavedMedians, option } from '@plugconv/test-harness/timing';
import { DWSConv, modules } from '../dist/index.js';

const backend = option('backend', 'wasm');
const runs = Number(option('runs', '15'));
const modelRuns = Number(option('model-runs', '9'));
await useBackend(backend);

const lines = [
  `tfjs-core ${tf.version_core}, backend ${backend}, Node ${process.version}, batch 1, median of ${runs} (modules) / ${modelRuns} (models) interleaved runs after 2 warm-up rounds`,
  '',
  '| row | input (NHWC) | c1 -> c2 | Conv(k3, s2) ms | DWSConv(k3, s2) ms | speed-up | Conv params | DWSConv params |',
  '|---:|---|---|---:|---:|---:|---:|---:|',
];
// (row, c1, c2, input side) of yolov8n's six stride-2 Convs at 640
const rows = [
  [1, 16, 32, 320],
  [3, 32, 64, 160],
  [5, 64, 128, 80],
  [7, 128, 256, 40],
  [16, 64, 64, 80],
  [19, 128, 128, 40],
];
for (const [row, c1, c2, side] of rows) {
  const conv = new Conv(c1, c2, 3, 2);
  const dws = new DWSConv(c1, c2, 3, 2);
  const [tc, td] = forwardMedians([conv, dws], [1, side, side, c1], runs);
  lines.push(`| ${row} | 1x${side}x${side}x${c1} | ${c1} -> ${c2} | ${tc.toFixed(2)} | ${td.toFixed(2)} | ${(tc / td).toFixed(2)}x | ${conv.numParams()} | ${dws.numParams()} |`);
  console.error(lines.at(-1));
  conv.dispose();
  dws.dispose();
}

const registry = new Registry(coreModules, modules);
lines.push('', '| model (640x640) | params | GFLOPs | latency ms |', '|---|---:|---:|---:|');
const x = tf.randomUniform([1, 640, 640, 3]);
const models = ['yolov8.yaml', 'yolov8-DWSConv.yaml'].map((name) => benchModel(import.meta.url, registry, name));
const times = interleavedMedians(models.map((m) => () => m.predict(x)), modelRuns);
models.forEach((model, i) => {
  const s = summarize(model, 640);
  lines.push(`| ${s.name} | ${s.params.toLocaleString('en-US')} | ${s.gflops.toFixed(2)} | ${times[i].toFixed(0)} |`);
  model.dispose();
});
x.dispose();
console.log(lines.join('\n'));
