// Per-sample convolution strategies of DynamicConv2d on wasm in Node (SIMD, single thread). Layer shapes are
// yolov8n's at 640x640: the six DynamicConv rows of yolov8-DynamicConv.yaml, the bottleneck convolutions of
// C2f_DynamicConv and the GhostModule convolutions of C2f_GhostModule_DynamicConv. Prints a markdown table of
// medians (ms) for the README: the strategies of one layer and batch interleaved, 7 runs (5 at batch 16) after a
// warm-up. Run with the package's bench script (after a build), or alone:
//   node packages/dynamicconv/bench/strategies.bench.mjs [--backend wasm]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@plugconv/core';
import { interleavedTimes, option } from '@plugconv/test-harness/timing';
import { DYNAMIC_CONV_STRATEGIES, kernelSize, outputSize, perSampleConv, pickDynamicConvStrategy, strategyUnsupported } from '../dist/index.js';

/** A CondConvShape of k x k experts with stride s and "same" padding. */
const conv = (cin, cout, k, s, g = 1, experts = 4) => ({
  cin,
  cout,
  k,
  experts,
  geometry: { stride: s, padding: Math.floor((k - 1) / 2), dilation: 1, groups: g },
});

const CASES = [
  { name: 'row 1: 16->32 3x3 s2 @320', shape: conv(16, 32, 3, 2), hw: 320 },
  { name: 'row 3: 32->64 3x3 s2 @160', shape: conv(32, 64, 3, 2), hw: 160 },
  { name: 'row 5: 64->128 3x3 s2 @80', shape: conv(64, 128, 3, 2), hw: 80 },
  { name: 'row 7: 128->256 3x3 s2 @40', shape: conv(128, 256, 3, 2), hw: 40 },
  { name: 'C2f P5 bottleneck: 128->128 3x3 @20', shape: conv(128, 128, 3, 1), hw: 20 },
  { name: 'C2f P3 bottleneck: 32->32 3x3 @80', shape: conv(32, 32, 3, 1), hw: 80 },
  { name: 'small input, P5: 128->128 3x3 @10', shape: conv(128, 128, 3, 1), hw: 10 },
  { name: 'tiny map: 32->32 3x3 @4', shape: conv(32, 32, 3, 1), hw: 4 },
  { name: 'Ghost primary: 32->16 1x1 @80', shape: conv(32, 16, 1, 1), hw: 80 },
  { name: 'Ghost cheap: 16 dw 3x3 @80', shape: conv(16, 16, 3, 1, 16), hw: 80 },
  { name: 'Ghost cheap: 64 dw 3x3 @20', shape: conv(64, 64, 3, 1, 64), hw: 20 },
];
const BATCHES = [1, 4, 16];
/** batch-grouped on dense kernels becomes core's grouped-sum (a B*c1*c2-channel intermediate): skip when huge. */
const MAX_INTERMEDIATE = 64e6;

function applicable(s, c, b) {
  if (strategyUnsupported(s, c.shape)) return false;
  const { cin, cout, geometry } = c.shape;
  if (s === 'batch-grouped' && geometry.groups !== cin && b > 4) {
    const [ho, wo] = outputSize(c.shape, c.hw, c.hw);
    if (ho * wo * b * cin * (cout / geometry.groups) > MAX_INTERMEDIATE) return false;
  }
  return true;
}

await useBackend(option('backend', 'wasm'));
const lines = [`| layer (yolov8n @640) | batch | ${DYNAMIC_CONV_STRATEGIES.join(' | ')} | auto picks |`, `|${'---|'.repeat(DYNAMIC_CONV_STRATEGIES.length + 3)}`];
for (const c of CASES) {
  for (const b of BATCHES) {
    const x = tf.randomNormal([b, c.hw, c.hw, c.shape.cin]);
    const routing = tf.randomUniform([b, c.shape.experts]);
    const weight = tf.randomNormal([c.shape.experts, kernelSize(c.shape)]);
    const strategies = DYNAMIC_CONV_STRATEGIES.filter((s) => applicable(s, c, b));
    const times = await interleavedTimes(
      strategies.map((s) => () => tf.tidy(() => perSampleConv(x, routing, weight, c.shape, s))),
      b === 16 ? 5 : 7,
      1,
    );
    const medians = new Map(strategies.map((s, i) => [s, times[i].median]));
    const cells = DYNAMIC_CONV_STRATEGIES.map((s) => (medians.has(s) ? medians.get(s).toFixed(1) : '-'));
    lines.push(`| ${c.name} | ${b} | ${cells.join(' | ')} | ${pickDynamicConvStrategy(c.shape, b)} |`);
    console.error(lines.at(-1));
    tf.dispose([x, routing, weight]);
  }
}
console.log(`\nmedian ms on ${tf.getBackend()}:\n${lines.join('\n')}\n`);
