#!/usr/bin/env node
// Cold start in Node: time from `import` to the first detection, one fresh `node` process per measurement,
// plugconv (tfjs-backend-wasm, SIMD, one thread) beside onnxruntime-web (wasm, one thread) on the same network,
// in turns (the sides alternate run by run).
//
//   pnpm build && PLUGCONV_ULTRALYTICS=<folder holding ultralytics 8.4> node scripts/bench-cold.mjs
//   options: --models yolov8n,yolo26n  --runs 7  --weights pt|safetensors  --trained  --json FILE
//
// plugconv's steps: import (tfjs-core, tfjs-backend-wasm, @plugconv/core, @plugconv/yolo), backend init,
// weight load (read the file, unpickle the checkpoint or decode the safetensors, load the state dict; a .pt's
// F16 tensors become F32), build (the checkpoint's own YAML, or the shipped config, -> model), deploy (fold),
// first forward (640x640, output read back), postprocess (NMS; yolo26n: the end-to-end head's confidence filter).
// Weights are random, made before the runs in a temporary folder (the work does not depend on the values):
// --weights pt (default) writes ultralytics best.pt files with reference/make_random_checkpoints.py (python3 with
// torch, ultralytics' source from reference/fetch_ultralytics.sh or PLUGCONV_ULTRALYTICS); --weights safetensors
// writes plugconv's own random state dict instead. --trained adds the trained best.pt
// packages/yolo/weights/shapes-yolo11n-C3k2-DSConv.pt (its modules must be registered; no ONNX of it, so no
// onnxruntime row). onnxruntime-web's steps: import, session create (read the .onnx, start the wasm runtime,
// optimise the graph), first run. The ONNX files come from reference/export_onnx.py (reference/.onnx).
// `node start` is Node's own start-up before the script runs; `process wall` is spawn to exit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configOf, distOf, listArg, parseArgs, requireBuild, root, stats } from './bench/common.mjs';
import { writeRandomWeights } from './bench/random-weights.mjs';

requireBuild('bench-cold');
const args = parseArgs(process.argv.slice(2), 'bench-cold');
const models = listArg(args.models, 'yolov8n,yolo26n');
const runs = Number(args.runs ?? 7);
const imgsz = 640;
const onnxDir = resolve(args.onnx ?? join(root, 'reference', '.onnx'));
const weightsKind = String(args.weights ?? 'pt');
if (!['pt', 'safetensors'].includes(weightsKind)) throw new Error(`bench-cold: --weights is pt or safetensors, got '${weightsKind}'`);
const TRAINED = join(root, 'packages/yolo/weights/shapes-yolo11n-C3k2-DSConv.pt');
const child = join(root, 'scripts/bench/cold-node-child.mjs');
const dist = { core: distOf('core', 'index.js'), yolo: distOf('yolo', 'index.js') };

function runChild(job) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [child, JSON.stringify(job)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = performance.now() - t0;
  if (r.status !== 0) {
    const reason = r.stderr.split('\n').find((l) => /Error: /.test(l)) ?? `exit ${r.status}`;
    process.stderr.write(`bench-cold: ${job.side} ${job.label} failed: ${reason}\n`);
    return { failed: reason.trim() };
  }
  const line = r.stdout.trim().split('\n').at(-1);
  return { ...JSON.parse(line), processWallMs: wall };
}

const dir = mkdtempSync(join(tmpdir(), 'plugconv-cold-'));
try {
  const weights = await writeRandomWeights(weightsKind, models, dir);
  const rows = [];
  for (const name of models) {
    const config = weightsKind === 'pt' ? undefined : configOf(name, 'bench-cold');
    rows.push({ label: name, weightsNote: `random ${weightsKind === 'pt' ? 'best.pt' : '.safetensors'}`, jobs: { plugconv: { side: 'plugconv', label: name, dist, imgsz, config, weights: { kind: weightsKind, name: `${name}.${weightsKind}`, path: weights[name] } }, 'ort-web': existsSync(join(onnxDir, `${name}.onnx`)) ? { side: 'ort', label: name, imgsz, onnx: join(onnxDir, `${name}.onnx`) } : null } });
  }
  if (args.trained) rows.push({ label: 'shapes-yolo11n-C3k2-DSConv', weightsNote: 'trained best.pt', jobs: { plugconv: { side: 'plugconv', label: 'shapes-yolo11n-C3k2-DSConv.pt', dist, imgsz, weights: { kind: 'pt', name: 'shapes-yolo11n-C3k2-DSConv.pt', path: TRAINED } }, 'ort-web': null } });
  const results = rows.map((r) => ({ label: r.label, weightsNote: r.weightsNote, sides: {} }));
  for (let run = 0; run < runs; run++) {
    rows.forEach((row, i) => {
      const sides = Object.entries(row.jobs).filter(([, j]) => j);
      if (run % 2) sides.reverse();
      for (const [side, job] of sides) (results[i].sides[side] ??= []).push(runChild(job));
    });
    process.stderr.write(`bench-cold: run ${run + 1}/${runs} done\n`);
  }
  report(results);
  if (args.json) writeFileSync(String(args.json), JSON.stringify({ imgsz, runs, results }, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function report(results) {
  const med = (xs) => stats(xs).medianMs;
  console.log(`\nNode cold start, fresh process per run, ${runs} runs each, median ms per step (total = sum of steps, from the first import)\n`);
  const steps = ['import', 'backend init', 'weight load', 'build', 'deploy', 'first forward', 'postprocess', 'session create', 'first run'];
  console.log(`| network (weights) | side | node start | ${steps.join(' | ')} | total median / min | process wall | output |`);
  console.log(`|---|---|---:|${steps.map(() => '---:|').join('')}---:|---:|---|`);
  for (const r of results) {
    for (const [side, all] of Object.entries(r.sides)) {
      const list = all.filter((x) => !x.failed);
      if (!list.length) {
        console.log(`| ${r.label} (${r.weightsNote}) | ${side} | failed: ${all[0].failed} |`);
        continue;
      }
      const cell = (k) => (list[0].times[k] === undefined ? '' : med(list.map((x) => x.times[k])).toFixed(0));
      const total = stats(list.map((x) => x.totalMs));
      const out = side === 'plugconv' ? `[${list[0].outputShape}], ${list[0].detections} dets` : `[${list[0].outputShape}]`;
      console.log(`| ${r.label} (${r.weightsNote}) | ${side === 'plugconv' ? 'plugconv wasm 1t' : 'ort-web wasm 1t'} | ${med(list.map((x) => x.nodeStartMs)).toFixed(0)} | ${steps.map(cell).join(' | ')} | ${total.medianMs.toFixed(0)} / ${total.minMs.toFixed(0)} | ${med(list.map((x) => x.processWallMs)).toFixed(0)} | ${out} |`);
    }
  }
}
