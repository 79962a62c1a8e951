// Ultralytics checkpoints in Node: the time from a .pt file to a built model with its weights (readCheckpointFile:
// zip + pickle + state dict; checkpointModel: the model built from the checkpoint's YAML dict, its fp16 weights
// loaded as float32), first in this process (what one `plugconv predict best.pt` run pays, JIT and wasm start
// included) and the median of RUNS more; then predict's per-image latency on the trained shapes model over its
// held-out images (letterbox auto at the checkpoint's imgsz, forward, NMS, scale back), median of RUNS after
// WARMUP calls per image. Run after a build, alone on the machine:
//   node packages/yolo/bench/checkpoint.bench.mjs [--backend wasm] [--runs 9] [--warmup 2] [FILE.pt ...]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploy, useBackend } from '@plugconv/core';
import { readCheckpointFile } from '@plugconv/core/node';
import { median, option } from '@plugconv/test-harness/timing';
import { checkpointModel, predictImage, readImage } from '../dist/index.js';

const backend = option('backend', 'wasm');
const runs = Number(option('runs', '9'));
const warmup = Number(option('warmup', '2'));
await useBackend(backend);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const trained = here('../weights/shapes-yolo11n-C3k2-DSConv.pt');
const given = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const files = [...(existsSync(trained) ? [trained] : []), ...['yolo26-t.pt', 'yolov8-C2f-DSConv-t.pt'].map((f) => here(`../../core/fixtures/checkpoints/${f}`)), ...given];
const quiet = { warn: () => {} };

/** One load: read ms, build + weights ms; the model is freed. */
function load(path) {
  const t0 = performance.now();
  const ck = readCheckpointFile(path);
  const t1 = performance.now();
  const loaded = checkpointModel(ck, quiet);
  const t2 = performance.now();
  loaded.model.dispose();
  return { read: t1 - t0, build: t2 - t1, total: t2 - t0 };
}

console.log(`Checkpoint load on ${backend} (ms; first = first load in this process, then the median of ${runs})\n`);
console.log('| checkpoint | MB | first: read | first: build + weights | first: total | read | build + weights | total |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const path of files) {
  const first = load(path);
  const times = Array.from({ length: runs }, () => load(path));
  const m = (k) => median(times.map((t) => t[k])).toFixed(0);
  console.log(`| ${basename(path)} | ${(statSync(path).size / 2 ** 20).toFixed(2)} | ${first.read.toFixed(0)} | ${first.build.toFixed(0)} | ${first.total.toFixed(0)} | ${m('read')} | ${m('build')} | ${m('total')} |`);
}

if (existsSync(trained)) {
  const loaded = checkpointModel(readCheckpointFile(trained), quiet);
  deploy(loaded.model); // as `plugconv predict` runs it
  const demo = here('../fixtures/demo');
  const images = readdirSync(demo).filter((f) => f.endsWith('.png')).sort();
  console.log(`\nPredict on ${backend}, ${basename(trained)} at imgsz ${loaded.imgsz} (letterbox auto, conf 0.25, iou 0.7), median of ${runs} after ${warmup} (ms)\n`);
  console.log('| image | size | letterboxed | detections | preprocess | inference | postprocess | total |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  const totals = [];
  for (const file of images) {
    const img = readImage(join(demo, file));
    const speeds = [];
    let p;
    for (let i = 0; i < warmup + runs; i++) {
      p = await predictImage(loaded.model, img, { imgsz: loaded.imgsz });
      if (i >= warmup) speeds.push(p.speed);
    }
    const m = (k) => median(speeds.map((s) => s[k]));
    const total = median(speeds.map((s) => s.preprocess + s.inference + s.postprocess));
    totals.push(total);
    const r = Math.min(loaded.imgsz / img.height, loaded.imgsz / img.width);
    const pad = (v) => Math.ceil(Math.round(v * r) / 32) * 32;
    console.log(`| ${file} | ${img.width}x${img.height} | ${pad(img.width)}x${pad(img.height)} | ${p.detections.length} | ${m('preprocess').toFixed(1)} | ${m('inference').toFixed(1)} | ${m('postprocess').toFixed(1)} | ${total.toFixed(1)} |`);
  }
  console.log(`\nmedian per image over the ${images.length} images: ${median(totals).toFixed(1)} ms`);
  loaded.model.dispose();
}
