// Latency of MobileNetV3Block against what it replaces, on wasm (default) or cpu, 640x640 input:
// 1. each stride-2 block of the MobileNetV3-Large backbone alone against a Conv(c1, c2, 3, 2) with the same
//    channels and input (yolov8's downsampling layer);
// 2. the backbones: yolov8n's rows 0-9 (Conv/C2f/SPPF) against yolov8n-mobilenetv3's rows 0-16;
// 3. the whole models yolov8n and yolov8n-mobilenetv3.
// Prints Markdown tables (the ones in ../README.md). Run with the package's bench script (after a build), or alone:
//   node packages/mobilenetv3/bench/latency.bench.mjs [--backend wasm] [--runs 15] [--model-runs 9]
import * as tf from '@tensorflow/tfjs-core';
import { Conv, coreModules, Registry, summarize, useBackend } from '@plugconv/core';
import { benchModel, forwardMedians, interleavedMedians, option } from '@plugconv/test-harness/timing';
import { MobileNetV3Block, modules } from '../dist/index.js';

const backend = option('backend', 'wasm');
const runs = Number(option('runs', '15'));
const modelRuns = Number(option('model-runs', '9'));
await useBackend(backend);

const lines = [
  `tfjs-core ${tf.version_core}, backend ${backend}, Node ${process.version}, batch 1, median of ${runs} (blocks) / ${modelRuns} (backbones, models) interleaved runs after 2 warm-up rounds`,
  '',
  '| row | input (NHWC) | block [c2, k, s, exp, se, act] | Conv(c1, c2, 3, 2) ms | MobileNetV3Block ms | Conv params | block params |',
  '|---:|---|---|---:|---:|---:|---:|',
];
// the stride-2 rows of yolov8-mobilenetv3 at 640: (row, c1, input side, block args)
const blocks = [
  [2, 16, 320, [24, 3, 2, 64, false, 'RE']],
  [4, 24, 160, [40, 5, 2, 72, true, 'RE']],
  [7, 40, 80, [80, 3, 2, 240, false, 'HS']],
  [13, 112, 40, [160, 5, 2, 672, true, 'HS']],
];
for (const [row, c1, side, args] of blocks) {
  const conv = new Conv(c1, args[0], 3, 2);
  const block = new MobileNetV3Block(c1, ...args);
  const [tc, tb] = forwardMedians([conv, block], [1, side, side, c1], runs);
  lines.push(`| ${row} | 1x${side}x${side}x${c1} | [${args.join(', ')}] | ${tc.toFixed(2)} | ${tb.toFixed(2)} | ${conv.numParams()} | ${block.numParams()} |`);
  console.error(lines.at(-1));
  conv.dispose();
  block.dispose();
}

const registry = new Registry(coreModules, modules);
const x = tf.randomUniform([1, 640, 640, 3]);
const models = [
  ['yolov8.yaml', 10],
  ['yolov8-mobilenetv3.yaml', 17],
].map(([name, rows]) => [benchModel(import.meta.url, registry, name), rows]);
// every backbone row reads the previous one, so the backbone is a chain
const backbone = (model, rows) => () => model.model.items.slice(0, rows).reduce((y, m) => m.forward(y), x);
const backboneTimes = interleavedMedians(models.map(([m, rows]) => backbone(m, rows)), modelRuns);
const modelTimes = interleavedMedians(models.map(([m]) => () => m.predict(x)), modelRuns);
lines.push('', '| model (640x640) | params | GFLOPs | backbone ms | model ms |', '|---|---:|---:|---:|---:|');
models.forEach(([model], i) => {
  const s = summarize(model, 640);
  lines.push(`| ${s.name} | ${s.params.toLocaleString('en-US')} | ${s.gflops.toFixed(2)} | ${backboneTimes[i].toFixed(0)} | ${modelTimes[i].toFixed(0)} |`);
  model.dispose();
});
x.dispose();
console.log(lines.join('\n'));
