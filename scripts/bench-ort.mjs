#!/usr/bin/env node
// plugconv beside onnxruntime on the same networks, in one Node process, measured in turns.
//
//   /usr/bin/python3 reference/export_onnx.py            # once: reference/.onnx/{yolov8n,yolo11n,yolo26n}.onnx
//   pnpm build && node scripts/bench-ort.mjs --models yolov8n,yolo11n,yolo26n
//
// Options: --models a,b (default yolov8n,yolo11n,yolo26n), --runs N (timed rounds, default 20), --warmup N (3),
// --structure deploy|fuse (plugconv's, default deploy), --node-threads 1,2 (onnxruntime-node sessions; '' for
// none), --onnx DIR (default reference/.onnx), --breakdown (plugconv's time per kind of block, from tf.profile:
// @plugconv/yolo's profileBreakdown, as `plugconv bench --breakdown`),
// --json FILE (every figure, machine-readable).
//
// Each round runs every model once on every side, the sides' order alternating round by round, so load from
// other processes hits all of them alike: plugconv (tfjs-backend-wasm: SIMD, one thread; DetectionModel.predict
// with the output read back), onnxruntime-web (wasm backend, numThreads 1, SIMD) and onnxruntime-node (native
// MLAS kernels, 1 and 2 intra-op threads: the ceiling a wasm engine does not reach, shown for honesty). Every side
// gets the same 640x640 image (NHWC for plugconv, NCHW for onnxruntime). The ONNX files come from ultralytics'
// own exporter (8.4, fused, opset 17, simplify=False; see reference/export_onnx.py); the weights differ (each
// side is randomly initialised), which does not change the work. The roofline is one large 3x3 convolution on
// tfjs' wasm backend (XNNPACK; @plugconv/yolo's convRooflineProbe): the rate a network made only of such
// convolutions would reach.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configOf as configFor, distOf, image, msCell, parseArgs, requireBuild, root, stats, toNchw } from './bench/common.mjs';

requireBuild('bench-ort');
const core = await import(distOf('core', 'index.js'));
const { loadYoloConfig } = await import(distOf('core', 'node.js'));
const { registry, convRooflineProbe, rooflineOf, percentOfRoofline, profileBreakdown, breakdownReport } = await import(distOf('yolo', 'index.js'));

const args = parseArgs(process.argv.slice(2), 'bench-ort');
const models = String(args.models ?? 'yolov8n,yolo11n,yolo26n').split(',').filter(Boolean);
const runs = Number(args.runs ?? 20);
const warmup = Number(args.warmup ?? 3);
const structure = args.structure ?? 'deploy';
const nodeThreads = String(args['node-threads'] ?? '1,2').split(',').filter(Boolean).map(Number);
const onnxDir = resolve(args.onnx ?? join(root, 'reference', '.onnx'));
const imgsz = 640;
const configOf = (name) => configFor(name, 'bench-ort');

async function main() {
  await core.useBackend('wasm');
  tf.env().set('PROD', true);
  const ortWeb = await import('onnxruntime-web');
  ortWeb.env.wasm.numThreads = 1;
  if ('simd' in ortWeb.env.wasm) ortWeb.env.wasm.simd = true;
  let ortNode = null;
  if (nodeThreads.length) {
    try {
      ortNode = await import('onnxruntime-node');
    } catch (e) {
      console.warn(`bench-ort: onnxruntime-node not usable here (${e.message.split('\n')[0]}); its columns are left out`);
    }
  }
  const pixels = image(imgsz * imgsz * 3);
  const x = tf.tensor4d(pixels, [1, imgsz, imgsz, 3]);
  const nchw = toNchw(pixels, imgsz, imgsz, 3);

  const entries = [];
  for (const name of models) {
    const file = join(onnxDir, `${name}.onnx`);
    if (!existsSync(file)) throw new Error(`bench-ort: ${file} is missing; run /usr/bin/python3 reference/export_onnx.py --models ${name}`);
    const { path, scale } = configOf(name);
    const model = core.buildModel(loadYoloConfig(path), { registry, scale, warn: () => {} }).eval();
    if (structure === 'deploy') core.deploy(model);
    else core.fuse(model);
    const summary = core.summarize(model, imgsz);
    const sides = [];
    const first = model.predict(x);
    const plugShape = first.shape;
    first.dispose();
    sides.push({
      side: 'plugconv wasm 1t',
      run: async () => {
        const y = model.predict(x);
        await y.data();
        y.dispose();
      },
    });
    const bytes = readFileSync(file);
    const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const webInput = { [web.inputNames[0]]: new ortWeb.Tensor('float32', nchw, [1, 3, imgsz, imgsz]) };
    const ortShape = (await web.run(webInput))[web.outputNames[0]].dims;
    sides.push({ side: 'ort-web wasm 1t', run: () => web.run(webInput) });
    for (const t of ortNode ? nodeThreads : []) {
      // no spinning: an idle intra-op thread would otherwise busy-wait after each run and slow the other sides
      const noSpin = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
      const s = await ortNode.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: t, interOpNumThreads: 1, graphOptimizationLevel: 'all', extra: noSpin });
      const input = { [s.inputNames[0]]: new ortNode.Tensor('float32', nchw, [1, 3, imgsz, imgsz]) };
      sides.push({ side: `ort-node ${t}t`, run: () => s.run(input) });
    }
    if (String(plugShape) !== String(ortShape)) console.warn(`bench-ort: ${name}: plugconv gives [${plugShape}], the ONNX file [${ortShape}]`);
    entries.push({ name, config: path.slice(root.length + 1), scale, gflops: summary.gflops, params: summary.params, model, sides, times: sides.map(() => []), outputs: { plugconv: plugShape, onnx: Array.from(ortShape) } });
  }

  // the roofline probe (@plugconv/yolo's, as `plugconv bench`), run as one more side of every round so it meets the same load
  const probe = convRooflineProbe();
  const probeTimes = [];
  for (let r = -warmup; r < runs; r++) {
    const t0 = performance.now();
    await probe.run();
    if (r >= 0) probeTimes.push(performance.now() - t0);
    for (const e of entries) {
      const order = e.sides.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        const t0 = performance.now();
        await e.sides[i].run();
        if (r >= 0) e.times[i].push(performance.now() - t0);
      }
    }
  }

  probe.dispose();
  const roofline = rooflineOf(probeTimes, probe.gflop);
  const results = [];
  for (const e of entries) {
    const sides = Object.fromEntries(e.sides.map((s, i) => [s.side, stats(e.times[i])]));
    const plug = sides['plugconv wasm 1t'];
    const web = sides['ort-web wasm 1t'];
    const gflopsPerSecond = e.gflops / (plug.medianMs / 1000);
    const result = {
      model: e.name,
      config: e.config,
      structure,
      gflops: e.gflops,
      params: e.params,
      outputs: e.outputs,
      sides,
      ortWebOverPlugconv: web.medianMs / plug.medianMs,
      plugconvGflopsPerSecond: gflopsPerSecond,
      percentOfRoofline: percentOfRoofline(gflopsPerSecond, roofline.gflopsPerSecond),
    };
    if (args.breakdown) result.breakdown = await profileBreakdown(e.model, x, 5);
    results.push(result);
    e.model.dispose();
  }
  x.dispose();
  report(results, roofline);
  if (args.json) writeFileSync(String(args.json), JSON.stringify({ imgsz, runs, warmup, roofline, results }, null, 2) + '\n');
}

function report(results, roofline) {
  const ms = msCell;
  console.log(`\n3x3-conv roofline (tfjs wasm, 128->128 at 80x80, ${roofline.gflop.toFixed(2)} GFLOP): ${roofline.gflopsPerSecond.toFixed(1)} GFLOP/s (median; best ${roofline.bestGflopsPerSecond.toFixed(1)})`);
  console.log(`${runs} rounds after ${warmup} warm-up rounds, 1x3x${imgsz}x${imgsz}, plugconv ${structure === 'deploy' ? 'deployed' : 'fused'}; ms as median / min\n`);
  const nodeCols = [...new Set(results.flatMap((r) => Object.keys(r.sides).filter((s) => s.startsWith('ort-node'))))];
  console.log(`| model | GFLOPs | plugconv wasm 1t | ort-web wasm 1t | ort-web / plugconv | plugconv GFLOP/s | % of roofline |${nodeCols.map((c) => ` ${c} |`).join('')}`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|${nodeCols.map(() => '---:|').join('')}`);
  for (const r of results) {
    console.log(
      `| ${r.model} | ${r.gflops.toFixed(2)} | ${ms(r.sides['plugconv wasm 1t'])} | ${ms(r.sides['ort-web wasm 1t'])} | ${r.ortWebOverPlugconv.toFixed(2)}x | ${r.plugconvGflopsPerSecond.toFixed(1)} | ${r.percentOfRoofline.toFixed(0)}% |${nodeCols.map((c) => ` ${ms(r.sides[c])} |`).join('')}`,
    );
  }
  for (const r of results.filter((r) => r.breakdown)) {
    console.log(`\n${r.model}: plugconv's ${breakdownReport(r.breakdown)}`);
  }
}

await main();
