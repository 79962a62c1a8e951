/**
 * Per-sample convolution strategies of DynamicConv2d on the current backend (wasm in Node, single thread):
 *   npx vitest bench --run packages/dynamicconv/bench
 * Layer shapes are yolov8n's at 640x640: the six DynamicConv rows of yolov8-DynamicConv.yaml, the bottleneck
 * convolutions of C2f_DynamicConv and the GhostModule convolutions of C2f_GhostModule_DynamicConv.
 * Prints vitest's tables and, at the end, a markdown table of medians (ms) for the README.
 */
import { afterAll, bench, describe } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DYNAMIC_CONV_STRATEGIES, kernelSize, perSampleConv, pickDynamicConvStrategy, strategyUnsupported, outputSize, type CondConvShape, type DynamicConvStrategy } from '../src/index.js';

interface Case {
  name: string;
  shape: CondConvShape;
  hw: number;
}

const conv = (cin: number, cout: number, k: number, s: number, g = 1, experts = 4): CondConvShape => ({
  cin,
  cout,
  k,
  experts,
  geometry: { stride: s, padding: Math.floor((k - 1) / 2), dilation: 1, groups: g },
});

const CASES: Case[] = [
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

const medians = new Map<string, number>();
const key = (c: string, b: number, s: string) => `${c}|${b}|${s}`;

function applicable(s: DynamicConvStrategy, c: Case, b: number): boolean {
  if (strategyUnsupported(s, c.shape)) return false;
  const { cin, cout, geometry } = c.shape;
  if (s === 'batch-grouped' && geometry.groups !== cin && b > 4) {
    const [ho, wo] = outputSize(c.shape, c.hw, c.hw);
    if (ho * wo * b * cin * (cout / geometry.groups) > MAX_INTERMEDIATE) return false;
  }
  return true;
}

for (const c of CASES) {
  for (const b of BATCHES) {
    describe(`${c.name}, batch ${b}`, () => {
      let x: tf.Tensor4D;
      let routing: tf.Tensor2D;
      let weight: tf.Tensor2D;
      const setup = () => {
        x ??= tf.randomNormal([b, c.hw, c.hw, c.shape.cin]) as tf.Tensor4D;
        routing ??= tf.randomUniform([b, c.shape.experts]) as tf.Tensor2D;
        weight ??= tf.randomNormal([c.shape.experts, kernelSize(c.shape)]) as tf.Tensor2D;
      };
      for (const s of DYNAMIC_CONV_STRATEGIES) {
        if (!applicable(s, c, b)) continue;
        const times: number[] = [];
        let calls = 0;
        bench(
          s,
          async () => {
            setup();
            const t0 = performance.now();
            const y = tf.tidy(() => perSampleConv(x, routing, weight, c.shape, s));
            await y.data();
            y.dispose();
            // the first call is vitest's warmup iteration
            if (calls++ > 0) times.push(performance.now() - t0);
          },
          {
            time: 0,
            iterations: b === 16 ? 5 : 7,
            warmupIterations: 1,
            warmupTime: 0,
            teardown: () => {
              const sorted = [...times].sort((p, q) => p - q);
              medians.set(key(c.name, b, s), sorted[sorted.length >> 1]!);
            },
          },
        );
      }
    });
  }
}

afterAll(() => {
  const head = `| layer (yolov8n @640) | batch | ${DYNAMIC_CONV_STRATEGIES.join(' | ')} | auto picks |`;
  const lines = [head, `|${'---|'.repeat(DYNAMIC_CONV_STRATEGIES.length + 3)}`];
  for (const c of CASES) {
    for (const b of BATCHES) {
      const cells = DYNAMIC_CONV_STRATEGIES.map((s) => {
        const v = medians.get(key(c.name, b, s));
        return v === undefined ? '-' : v.toFixed(1);
      });
      lines.push(`| ${c.name} | ${b} | ${cells.join(' | ')} | ${pickDynamicConvStrategy(c.shape, b)} |`);
    }
  }
  console.log(`\nmedian ms on ${tf.getBackend()}:\n${lines.join('\n')}\n`);
});
