// Measures the README's tables: weight storage of yolov8n-DSConv compressed at bits 8/4/2 with block 32 and 128
// against float32, the output error of each against bits=0 on a fixed input, and summarize() figures of the
// DSConv configs at n/s/m. Run with the package's bench script (after a build), or alone:
//   node packages/dsconv/bench/storage.bench.mjs [--imgsz 640]
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, coreModules, encodeSafetensors, Registry, summarize, useBackend } from '@plugconv/core';
import { benchModel, option } from '@plugconv/test-harness/timing';
import { compress, DSConv, encodeCompressed, loadCompressed, modules, setQuantization, storageReport } from '../dist/index.js';

await useBackend('wasm');
const registry = new Registry(coreModules, modules);
const build = (name, scale) => benchModel(import.meta.url, registry, name, scale);
const fmt = (n) => n.toLocaleString('en-US');
const imgsz = Number(option('imgsz', '640'));

// --- figures -------------------------------------------------------------------------------------------------
console.log('| config | scale | params | gradients | GFLOPs |');
console.log('|---|---|---:|---:|---:|');
for (const cfg of ['yolov8.yaml', 'yolov8-DSConv.yaml', 'yolov8-C2f-DSConv.yaml']) {
  for (const scale of ['n', 's', 'm']) {
    const m = build(cfg, scale);
    const s = summarize(m, 640);
    console.log(`| ${cfg.replace('.yaml', '')} | ${scale} | ${fmt(s.params)} | ${fmt(s.gradients)} | ${s.gflops.toFixed(3)} |`);
    m.dispose();
  }
}

// --- a fixed model and input ---------------------------------------------------------------------------------
// seeded kaiming-uniform conv kernels (PyTorch's default init), the frozen DFL as built, Detect's class biases 0
// (its prior of -11 would saturate every sigmoid near 0, hiding errors); BatchNorm running statistics set from the
// input's own batch statistics at float precision (as the fixtures do), so activations keep a sane scale.
const model = build('yolov8-DSConv.yaml', 'n');
let seed = 1;
for (const [, v] of model.namedParameters()) {
  if (v.rank !== 4 || !v.trainable) continue;
  const [kh, kw, cin] = v.shape; // dense internal layout (kh, kw, I, O); yolov8n has no grouped convs
  const bound = 1 / Math.sqrt(kh * kw * cin);
  const w = tf.randomUniform(v.shape, -bound, bound, 'float32', seed++);
  v.assign(w);
  w.dispose();
}
for (const [key, v] of model.namedParameters()) if (/^model\.22\.cv3\.\d+\.2\.bias$/.test(key)) v.assign(tf.zerosLike(v));
const x = tf.randomUniform([1, imgsz, imgsz, 3], 0, 1, 'float32', 2024);
setQuantization(model, { bits: 0 });
const bns = model.namedModules().filter(([, m]) => m instanceof BatchNorm2d).map(([, m]) => m);
for (const bn of bns) bn.momentum = 1; // running stats := this batch's statistics
model.train();
tf.dispose(tf.tidy(() => model.forward(x)));
for (const bn of bns) bn.momentum = 0.03;
model.eval();

const reference = model.predict(x); // bits 0: the float model
const refData = reference.dataSync();
const [, channels, anchors] = reference.shape;
function errors(y) {
  const d = y.dataSync();
  let box = 0;
  let cls = 0;
  let boxSum = 0;
  let clsSum = 0;
  for (let c = 0; c < channels; c++) {
    for (let a = 0; a < anchors; a++) {
      const e = Math.abs(d[c * anchors + a] - refData[c * anchors + a]);
      if (c < 4) {
        box = Math.max(box, e);
        boxSum += e;
      } else {
        cls = Math.max(cls, e);
        clsSum += e;
      }
    }
  }
  return { box, cls, boxMean: boxSum / (4 * anchors), clsMean: clsSum / ((channels - 4) * anchors) };
}
/** RMS of (quantised - float) over every DSConv kernel, relative to the RMS of the float kernels. */
function kernelError() {
  let num = 0;
  let den = 0;
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof DSConv) || m.bits === 0) continue;
    const [n, d] = tf.tidy(() => {
      const q = m.effectiveKernel();
      return [tf.sum(tf.square(tf.sub(q, m.weight))).dataSync()[0], tf.sum(tf.square(m.weight)).dataSync()[0]];
    });
    num += n;
    den += d;
  }
  return Math.sqrt(num / den);
}
let refBox = 0;
for (let i = 0; i < 4 * anchors; i++) refBox = Math.max(refBox, Math.abs(refData[i]));

const float32Bytes = encodeSafetensors(model.stateDict()).byteLength;
console.log(`\nyolov8n-DSConv, input 1x${imgsz}x${imgsz}x3 (seeded uniform [0,1)), float32 state dict file ${fmt(float32Bytes)} bytes; max |box| of the float model ${refBox.toFixed(1)} px`);
console.log('| bits | block | DSConv kernels bytes | vs float32 kernels | model file bytes | vs float32 file | kernel RMS error (relative) | boxes max / mean abs error (px) | class scores max / mean abs error | reload identical |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const bits of [8, 4, 2]) {
  for (const block of [32, 128]) {
    setQuantization(model, { bits, block });
    const y = model.predict(x);
    const { box, cls, boxMean, clsMean } = errors(y);
    const kErr = kernelError();
    const c = compress(model);
    const r = storageReport(c);
    // round trip into a fresh model: outputs must be identical
    const fresh = build('yolov8-DSConv.yaml', 'n');
    loadCompressed(fresh, encodeCompressed(c));
    const y2 = fresh.predict(x);
    const same = tf.tidy(() => tf.max(tf.abs(tf.sub(y, y2))).dataSync()[0]) === 0;
    fresh.dispose();
    console.log(
      `| ${bits} | ${block} | ${fmt(r.kernelBytes)} | ${((100 * r.kernelBytes) / r.kernelFloat32Bytes).toFixed(1)}% of ${fmt(r.kernelFloat32Bytes)} | ${fmt(r.compressedFileBytes)} | ${((100 * r.compressedFileBytes) / r.float32FileBytes).toFixed(1)}% | ${(100 * kErr).toFixed(2)}% | ${box.toFixed(2)} / ${boxMean.toFixed(3)} | ${cls.toFixed(4)} / ${clsMean.toExponential(1)} | ${same ? 'yes' : 'NO'} |`,
    );
    tf.dispose([y, y2]);
  }
}

// the whole-model C2f variant, for comparison (every C2f's four convs quantised)
const c2f = build('yolov8-C2f-DSConv.yaml', 'n');
const c2fFloat = encodeSafetensors(c2f.stateDict()).byteLength;
console.log(`\nyolov8n-C2f-DSConv: float32 file ${fmt(c2fFloat)} bytes`);
console.log('| bits | block | DSConv kernels bytes | vs float32 kernels | model file bytes | vs float32 file |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const bits of [8, 4, 2]) {
  for (const block of [32, 128]) {
    setQuantization(c2f, { bits, block });
    const r = storageReport(compress(c2f));
    console.log(`| ${bits} | ${block} | ${fmt(r.kernelBytes)} | ${((100 * r.kernelBytes) / r.kernelFloat32Bytes).toFixed(1)}% of ${fmt(r.kernelFloat32Bytes)} | ${fmt(r.compressedFileBytes)} | ${((100 * r.compressedFileBytes) / r.float32FileBytes).toFixed(1)}% |`);
  }
}
c2f.dispose();
model.dispose();
