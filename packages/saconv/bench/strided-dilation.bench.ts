import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Conv, conv2dExact, summarize, useBackend, type DetectionModel } from '@plugconv/core';
import { SAConv2d } from '../src/index.js';
import { shippedModel } from '../test/helpers.js';

/**
 * Timings on wasm (SIMD, one thread): stride 2 with dilation 3 / 6 (SAConv2d's large branch) by the polyphase
 * split and by the dilated stride-1 conv + subsample, against the stride-1 dilated conv alone and a plain
 * stride-2 conv; then whole SAConv2d layers and models. Cells: median (min) ms of RUNS
 * (default 9; MODEL_RUNS, default 3, for whole models) after a warm-up. Run:
 * `npx vitest run --config packages/saconv/bench/vitest.config.ts`.
 */
const RUNS = Number(process.env.RUNS ?? 9);

/** Median and minimum (ms) of each function over `runs` interleaved rounds (one call of each per round, so a
 * load change on a shared machine hits them alike) after a warm-up; the result's data is awaited each time. */
async function compare(fns: (() => tf.Tensor)[], runs = RUNS): Promise<{ median: number; min: number }[]> {
  const once = async (fn: () => tf.Tensor) => {
    const t0 = performance.now();
    const y = fn();
    await y.data();
    const t = performance.now() - t0;
    y.dispose();
    return t;
  };
  for (const fn of fns) await once(fn);
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) for (let i = 0; i < fns.length; i++) times[i]!.push(await once(fns[i]!));
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[runs >> 1]!, min: t[0]! };
  });
}

const ms = (t: { median: number; min: number }) => ` ${t.median.toFixed(1)} (${t.min.toFixed(1)})`;

it('conv: stride 2 with dilation 3 and 6', async () => {
  await useBackend('wasm');
  console.log('\n| input | cout | dilation | stride-1 dilated conv | subsample (stride-1 + slice) | polyphase | plain stride-2 conv (d=1) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [h, cin, cout] of [
    [80, 64, 64],
    [160, 32, 64],
    [40, 128, 256],
  ] as const) {
    const x = tf.randomUniform([1, h, h, cin]) as tf.Tensor4D;
    const f = tf.randomUniform([3, 3, cin, cout]) as tf.Tensor4D;
    for (const d of [3, 6]) {
      const g = { stride: 2, padding: d, dilation: d, groups: 1 };
      const [full, sub, poly, plain] = await compare([
        () => conv2dExact(x, f, { ...g, stride: 1 }, 'dense'),
        () => conv2dExact(x, f, g, 'dense', { stridedDilation: 'subsample', dilationMode: 'native' }),
        () => conv2dExact(x, f, g, 'dense', { stridedDilation: 'polyphase', dilationMode: 'native' }),
        () => conv2dExact(x, f, { stride: 2, padding: 1, dilation: 1, groups: 1 }, 'dense'),
      ]);
      console.log(`| 1x${h}x${h}x${cin} | ${cout} | ${d} |${ms(full)} |${ms(sub)} |${ms(poly)} |${ms(plain)} |`);
    }
    tf.dispose([x, f]);
  }
});

it('SAConv2d layers (stride 2) of yolov8n at 640', async () => {
  await useBackend('wasm');
  console.log('\n| layer | input | Conv (conv, BN, SiLU) | SAConv2d, polyphase | SAConv2d, subsample |');
  console.log('|---|---|---:|---:|---:|');
  for (const [row, h, c1, c2] of [
    [1, 320, 16, 32],
    [3, 160, 32, 64],
    [5, 80, 64, 128],
    [7, 40, 128, 256],
  ] as const) {
    const x = tf.randomUniform([1, h, h, c1]);
    const m = new SAConv2d(c1, c2, 3, 2).eval();
    const conv = new Conv(c1, c2, 3, 2).eval();
    const run = (method: 'polyphase' | 'subsample') => () => {
      m.stridedDilation = method;
      return m.forward(x);
    };
    const [plain, poly, sub] = await compare([() => conv.forward(x), run('polyphase'), run('subsample')]);
    conv.dispose();
    console.log(`| row ${row} | 1x${h}x${h}x${c1} -> ${c2} |${ms(plain)} |${ms(poly)} |${ms(sub)} |`);
    x.dispose();
    m.dispose();
  }
});

it('models at n, 640x640', async () => {
  await useBackend('wasm');
  const runs = Number(process.env.MODEL_RUNS ?? 3);
  const setMethod = (m: DetectionModel, method: 'polyphase' | 'subsample') => {
    for (const [, mod] of m.namedModules()) if (mod instanceof SAConv2d) mod.stridedDilation = method;
  };
  console.log('\n| config (n) | GFLOPs | wasm ms (polyphase) | wasm ms (subsample) |');
  console.log('|---|---:|---:|---:|');
  const x = tf.randomUniform([1, 640, 640, 3]);
  const base = shippedModel('yolov8.yaml', 'n');
  for (const cfg of ['yolov8-SAConv.yaml', 'yolov8-C2f-SAConv.yaml']) {
    const model = shippedModel(cfg, 'n');
    const run = (method: 'polyphase' | 'subsample') => () => {
      setMethod(model, method);
      return model.predict(x);
    };
    const [plain, poly, sub] = await compare([() => base.predict(x), run('polyphase'), run('subsample')], runs);
    if (cfg === 'yolov8-SAConv.yaml') console.log(`| yolov8.yaml | ${summarize(base).gflops.toFixed(2)} |${ms(plain)} | |`);
    console.log(`| ${cfg} | ${summarize(model).gflops.toFixed(2)} |${ms(poly)} |${ms(sub)} |`);
    model.dispose();
  }
  base.dispose();
  x.dispose();
});
