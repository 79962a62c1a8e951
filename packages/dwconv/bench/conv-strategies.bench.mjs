// Measures core's exact grouped-convolution formulations (ConvStrategy) and its stride+dilation methods
// (StridedDilationMethod) on cpu and wasm, and prints Markdown tables (the ones in ../README.md).
// Every formulation runs through @plugconv/core's conv2dExact, so what is timed is what Conv2d runs; each
// row also reports the largest difference between the formulations (they must agree to float rounding).
//
//   node packages/dwconv/bench/conv-strategies.bench.mjs [--backend wasm,cpu] [--runs 9]
import * as tf from '@tensorflow/tfjs-core';
import { conv2dExact, kernelLayout, pickConvStrategy, pickStridedDilationMethod } from '@plugconv/core';
import { interleavedMedians, option } from '@plugconv/test-harness/timing';

const backends = option('backend', 'wasm,cpu').split(',');
const runs = Number(option('runs', '9'));

/** The kernel of a PyTorch conv (O, I/g, k, k) in a strategy's internal layout. */
function kernelFor(torchWeight, cin, cout, k, groups, strategy) {
  return kernelLayout(cin, cout, k, groups, strategy).layout.fromTorch(torchWeight);
}

function maxDiff(a, b) {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const fmt = (ms) => (ms === undefined ? '' : ms.toFixed(ms < 10 ? 2 : 1));

/** Grouped 3x3 stride-1 conv at NHWC `shape`, cout = cin, for each groups value. */
function groupedTable(backend, [b, h, w, c], groupsList, k = 3) {
  const lines = [];
  const x = tf.randomNormal([b, h, w, c]);
  for (const groups of groupsList) {
    const geometry = { stride: 1, padding: (k - 1) >> 1, dilation: 1, groups };
    const torchW = tf.randomNormal([c, c / groups, k, k]);
    const candidates = groups === 1 ? ['dense'] : groups === c ? ['depthwise', 'grouped-sum', 'split'] : ['split', 'grouped-sum'];
    // 64 separate convs are far off: split is skipped beyond 32 groups to save time
    const names = candidates.filter((s) => !(s === 'split' && groups > 32));
    const kernels = names.map((s) => kernelFor(torchW, c, c, k, groups, s));
    const ms = interleavedMedians(names.map((s, i) => () => conv2dExact(x, kernels[i], geometry, s)), runs);
    const times = Object.fromEntries(names.map((s, i) => [s, ms[i]]));
    const outs = names.map((s, i) => conv2dExact(x, kernels[i], geometry, s));
    kernels.forEach((t) => t.dispose());
    const diff = Math.max(0, ...outs.slice(1).map((o) => maxDiff(o, outs[0])));
    outs.forEach((o) => o.dispose());
    torchW.dispose();
    const best = Object.entries(times).sort((p, q) => p[1] - q[1])[0][0];
    const picked = pickConvStrategy(c, groups, backend);
    lines.push(`| ${backend} | ${b}x${h}x${w}x${c} | ${groups} | ${fmt(times.dense ?? times.depthwise)} | ${fmt(times.split)} | ${fmt(times['grouped-sum'])} | ${best} | ${picked} | ${diff.toExponential(1)} |`);
    console.error(lines.at(-1));
  }
  x.dispose();
  return lines;
}

/** Stride 2 with dilation d: subsample vs polyphase (vs native for depthwise on wasm). */
function stridedDilatedTable(backend, [b, h, w, c], cases) {
  const lines = [];
  const x = tf.randomNormal([b, h, w, c]);
  for (const { k, s, d, groups } of cases) {
    const pad = (d * (k - 1) + 1) >> 1;
    const geometry = { stride: s, padding: pad, dilation: d, groups };
    const strategy = pickConvStrategy(c, groups, backend);
    const torchW = tf.randomNormal([c, c / groups, k, k]);
    const wk = kernelFor(torchW, c, c, k, groups, strategy);
    const methods = strategy === 'depthwise' && backend === 'wasm' ? ['subsample', 'polyphase', 'native'] : ['subsample', 'polyphase'];
    const ms = interleavedMedians(methods.map((m) => () => conv2dExact(x, wk, geometry, strategy, { stridedDilation: m })), runs);
    const times = Object.fromEntries(methods.map((m, i) => [m, ms[i]]));
    const outs = methods.map((m) => conv2dExact(x, wk, geometry, strategy, { stridedDilation: m }));
    const diff = Math.max(0, ...outs.slice(1).map((o) => maxDiff(o, outs[0])));
    outs.forEach((o) => o.dispose());
    wk.dispose();
    torchW.dispose();
    const best = Object.entries(times).sort((p, q) => p[1] - q[1])[0][0];
    const picked = pickStridedDilationMethod(strategy, geometry, backend);
    lines.push(`| ${backend} | ${b}x${h}x${w}x${c} | ${k} | ${s} | ${d} | ${groups} (${strategy}) | ${fmt(times.subsample)} | ${fmt(times.polyphase)} | ${fmt(times.native)} | ${best} | ${picked} | ${diff.toExponential(1)} |`);
    console.error(lines.at(-1));
  }
  x.dispose();
  return lines;
}

const grouped = [
  '| backend | input (NHWC) | groups | dense / depthwise ms | split ms | grouped-sum ms | fastest | picked | max diff |',
  '|---|---|---:|---:|---:|---:|---|---|---:|',
];
const strided = [
  '| backend | input (NHWC) | k | s | d | groups (strategy) | subsample ms | polyphase ms | native ms | fastest | picked | max diff |',
  '|---|---|---:|---:|---:|---|---:|---:|---:|---|---|---:|',
];
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  grouped.push(...groupedTable(backend, [1, 80, 80, 64], [1, 2, 4, 8, 16, 32, 64]));
  grouped.push(...groupedTable(backend, [1, 40, 40, 128], [2, 4, 8, 16, 32, 128]));
  grouped.push(...groupedTable(backend, [1, 20, 20, 256], [2, 4, 8, 16, 64, 256]));
  const sd = [
    { k: 3, s: 2, d: 2, groups: 64 },
    { k: 3, s: 2, d: 2, groups: 8 },
    { k: 3, s: 2, d: 2, groups: 1 },
    { k: 3, s: 2, d: 3, groups: 64 },
    { k: 3, s: 2, d: 3, groups: 1 },
    { k: 5, s: 2, d: 3, groups: 64 },
  ];
  strided.push(...stridedDilatedTable(backend, [1, 80, 80, 64], sd));
}
console.log(`tfjs-core ${tf.version_core}, Node ${process.version}, median of ${runs} interleaved runs after 2 warm-up rounds, batch 1, 3x3 unless stated, cout = cin\n`);
console.log('Grouped convolution, stride 1:\n');
console.log(grouped.join('\n'));
console.log('\nStride 2 with dilation > 1 (tfjs rejects it in conv2d):\n');
console.log(strided.join('\n'));
