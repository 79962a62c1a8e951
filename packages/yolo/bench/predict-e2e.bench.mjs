// predict end to end, per image, in Node: an NMS model (yolov8n) against an end-to-end one (yolo26n: top-k of
// the one-to-one head inside the forward, no NMS). Per image and model: read + decode the PNG, letterbox (rect)
// + input tensor, forward (deployed model) until the output is read, postprocess (NMS, or the end2end confidence filter) + scaling
// back; the median over every demo image and round, rounds interleaved across the models so load from other
// processes hits them alike. Models are random initialisations (ultralytics' bias_init leaves the class scores
// near 0, so NMS sees no candidates): NMS is also timed on a real yolov8n output (fixtures/predict, 24 detections
// kept), which is what a trained model's NMS costs. A config is a shipped name or a YAML path (yolo26n.yaml when
// the package ships yolo26.yaml; else give a path to a copy named yolo26n.yaml, with yolo26.yaml beside it).
// Run after a build, alone on the machine:
//   node packages/yolo/bench/predict-e2e.bench.mjs [--imgsz 640] [--runs 5] [--warmup 1] [--backend wasm] [CFG ...]
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deploy, useBackend } from '@plugconv/core';
import { readSafetensors } from '@plugconv/core/node';
import { median, option } from '@plugconv/test-harness/timing';
import { loadModel, nonMaxSuppression, predictImage, readImage, resolveConfigPath } from '../dist/index.js';

const imgsz = Number(option('imgsz', '640'));
const runs = Number(option('runs', '5'));
const warmup = Number(option('warmup', '1'));
const backend = option('backend', 'wasm');
const given = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const wanted = given.length ? given : ['yolov8n.yaml', 'yolo26n.yaml'];
await useBackend(backend);

const cfgs = [];
for (const cfg of wanted) {
  try {
    resolveConfigPath(cfg);
    cfgs.push(cfg);
  } catch {
    console.log(`${cfg}: not shipped and not a file here, skipped (give a YAML path)`);
  }
}
// deployed, as `plugconv predict` and predictMany deploy theirs
const models = cfgs.map((cfg) => ({ cfg, model: deploy(loadModel(cfg, { warn: () => {} })), samples: [] }));
const demo = fileURLToPath(new URL('../fixtures/demo', import.meta.url));
const images = readdirSync(demo).filter((f) => f.endsWith('.png')).sort().map((f) => join(demo, f));

/** One image through predict, timed from the file: decode, then predictImage's stages. */
async function once(model, file) {
  const t0 = performance.now();
  const img = readImage(file);
  const decode = performance.now() - t0;
  const p = await predictImage(model, img, { imgsz });
  return { total: performance.now() - t0, decode, ...p.speed, detections: p.detections.length };
}

console.log(`predict per image on ${backend}, imgsz ${imgsz} rect, ${images.length} demo images x ${runs} rounds after ${warmup} (ms, medians); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
for (let r = 0; r < warmup + runs; r++) {
  for (const file of images) {
    for (const m of models) {
      const s = await once(m.model, file);
      if (r >= warmup) m.samples.push(s);
    }
  }
}
console.log('| model | head | end to end | decode | letterbox + input | forward | postprocess | detections (conf 0.25) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const m of models) {
  const med = (k) => median(m.samples.map((s) => s[k])).toFixed(1);
  const head = m.model.head?.end2end ? 'end2end top-k, no NMS' : 'NMS';
  console.log(`| ${basename(m.cfg)} | ${head} | ${med('total')} | ${med('decode')} | ${med('preprocess')} | ${med('inference')} | ${med('postprocess')} | ${median(m.samples.map((s) => s.detections))} |`);
  m.model.dispose();
}

// NMS on a real yolov8n output: what postprocess costs with a trained model's candidates
const fixture = readSafetensors(fileURLToPath(new URL('../fixtures/predict/nms_480x640_nc80.safetensors', import.meta.url)));
const pred = fixture.get('pred');
const times = [];
let kept = 0;
for (let r = 0; r < 3 + 20; r++) {
  const t0 = performance.now();
  const [dets] = await nonMaxSuppression(pred, { conf: 0.25, iou: 0.7 });
  if (r >= 3) times.push(performance.now() - t0);
  kept = dets.length;
}
console.log(`\nNMS on a real yolov8n output (${pred.shape.join('x')}, ${kept} kept, conf 0.25, iou 0.7): median ${median(times).toFixed(2)} ms of 20`);
for (const t of fixture.values()) t.dispose();
