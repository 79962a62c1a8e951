// Timings on wasm (SIMD, one thread): stride 2 with dilation 3 / 6 (SAConv2d's large branch) by the polyphase
// split and by the dilated stride-1 conv + subsample, against the stride-1 dilated conv alone and a plain
// stride-2 conv; then whole SAConv2d layers and models. Cells: median (min) ms of --runs (default 9;
// --model-runs, default 3, for whole models) interleaved rounds after a warm-up. Run with the package's bench
// script (after a build), or alone:  node packages/saconv/bench/strided-dilation.bench.mjs [--runs 9] [--model-runs 3]
import * as tf from '@tensorflow/tfjs-core';
import { Conv, conv2dExact, coreModules, Registry, summarize, useBackend } from '@plugconv/core';
import { benchModel, interleavedTimes, option } from '@plugconv/test-harness/timing';
import { modules, SAConv2d } from '../dist/index.js';

const RUNS = Number(option('runs', '9'));
const MODEL_RUNS = Number(option('model-runs', '3'));
const registry = new Registry(coreModules, modules);
const build = (cfg, scale) => benchModel(import.meta.url, registry, cfg, scale);
/** Median and minimum (ms) of each function over `runs` interleaved rounds after one warm-up round. */
const compare = (fns, runs = RUNS) => interleavedTimes(fns, runs, 1);

const ms = (t) => ` ${t.median.toFixed(1)} (${t.min.toFixed(1)})`;

// conv: stride 2 with dilation 3 and 6
{
  await useBackend('wasm');
  console.log('\n| input | cout | dilation | stride-1 dilated conv | subsample (stride-1 + slice) | polyphase | plain stride-2 conv (d=1) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [h, cin, cout] of [
    [80, 64, 64],
    [160, 32, 64],
    [40, 128, 256],
  ]) {
    const x = tf.randomUniform([1, h, h, cin]);
    const f = tf.randomUniform([3, 3, cin, cout]);
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
}

// SAConv2d layers (stride 2) of yolov8n at 640
{
  await useBackend('wasm');
  console.log('\n| layer | input | Conv (conv, BN, SiLU) | SAConv2d, polyphase | SAConv2d, subsample |');
  console.log('|---|---|---:|---:|---:|');
  for (const [row, h, c1, c2] of [
    [1, 320, 16, 32],
    [3, 160, 32, 64],
    [5, 80, 64, 128],
    [7, 40, 128, 256],
  ]) {
    const x = tf.randomUniform([1, h, h, c1]);
    const m = new SAConv2d(c1, c2, 3, 2).eval();
    const conv = new Conv(c1, c2, 3, 2).eval();
    const run = (method) => () => {
      m.stridedDilation = method;
      return m.forward(x);
    };
    const [plain, poly, sub] = await compare([() => conv.forward(x), run('polyphase'), run('subsample')]);
    conv.dispose();
    console.log(`| row ${row} | 1x${h}x${h}x${c1} -> ${c2} |${ms(plain)} |${ms(poly)} |${ms(sub)} |`);
    x.dispose();
    m.dispose();
  }
}

// models at n, 640x640
{
  await useBackend('wasm');
  const runs = MODEL_RUNS;
  const setMethod = (m, method) => {
    for (const [, mod] of m.namedModules()) if (mod instanceof SAConv2d) mod.stridedDilation = method;
  };
  console.log('\n| config (n) | GFLOPs | wasm ms (polyphase) | wasm ms (subsample) |');
  console.log('|---|---:|---:|---:|');
  const x = tf.randomUniform([1, 640, 640, 3]);
  const base = build('yolov8.yaml', 'n');
  for (const cfg of ['yolov8-SAConv.yaml', 'yolov8-C2f-SAConv.yaml']) {
    const model = build(cfg, 'n');
    const run = (method) => () => {
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
}
