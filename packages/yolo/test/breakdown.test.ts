import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ConvNormAct, deploy, Detect } from '@plugconv/core';
import { attributeKernels, BREAKDOWN_KINDS, KERNEL_KINDS, kernelKind, profileBreakdown, type ProfiledKernel } from '../src/breakdown.js';
import { breakdownReport } from '../src/breakdown-report.js';
import { loadModel } from '../src/configs.js';
import { useNodeBackend } from '../src/node-backends.js';
import { measureConvRoofline, percentOfRoofline, ROOFLINE_GFLOP, rooflineOf } from '../src/roofline.js';

const YOLOV8 = fileURLToPath(new URL('../../core/fixtures/models/yolov8.yaml', import.meta.url));
// ultralytics 8.4's yolo11.yaml with the fixtures' tiny scale t (C2PSA: attention)
const YOLO11 = fileURLToPath(new URL('../../core/fixtures/v11/models/yolo11.yaml', import.meta.url));
// the NMS-free end2end head: top-k in Detect.postprocess
const YOLO26 = fileURLToPath(new URL('../../core/fixtures/v11/models/yolo26.yaml', import.meta.url));

const kernel = (name: string, timeMs: number, scope: ProfiledKernel['scope'] = null, children: ProfiledKernel[] = []): ProfiledKernel => ({ name, custom: false, scope, timeMs, children });
const wrapper = (name: string, timeMs: number, children: ProfiledKernel[]): ProfiledKernel => ({ name, custom: true, scope: null, timeMs, children });
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, v) => a + v, 0);

describe('kernelKind', () => {
  it('maps every known kernel to a kind of the breakdown, never to the time outside kernels', () => {
    for (const [name, kind] of Object.entries(KERNEL_KINDS)) {
      expect(BREAKDOWN_KINDS).toContain(kind);
      expect(kind).not.toBe('outside kernels');
      expect(kernelKind(name)).toEqual({ kind, known: true });
    }
    expect(kernelKind('FusedConv2D').kind).toBe('conv');
    expect(kernelKind('FusedDepthwiseConv2D').kind).toBe('depthwise conv');
    expect(kernelKind('SplitV').kind).toBe('split/concat');
    expect(kernelKind('ResizeNearestNeighbor').kind).toBe('upsample/pool');
    expect(kernelKind('TopK').kind).toBe('postprocess');
  });
  it("goes to 'other' for an unknown kernel and says it is unknown", () => {
    expect(kernelKind('NoSuchKernel')).toEqual({ kind: 'other', known: false });
    expect(kernelKind('NoSuchKernel', 'head')).toEqual({ kind: 'head decode', known: false });
  });
  it('lets the module decide: convs stay convs in attention and the head, the rest is theirs; postprocess takes all', () => {
    expect(kernelKind('FusedConv2D', 'attention').kind).toBe('conv');
    expect(kernelKind('FusedDepthwiseConv2D', 'head').kind).toBe('depthwise conv');
    expect(kernelKind('Transpose', 'attention').kind).toBe('attention');
    // DFL's softmax and product are the head's, not attention
    expect(kernelKind('Softmax', 'head').kind).toBe('head decode');
    expect(kernelKind('Sigmoid', 'block').kind).toBe('activation');
    expect(kernelKind('FusedConv2D', 'postprocess').kind).toBe('postprocess');
    expect(kernelKind('Multiply', 'batchnorm').kind).toBe('batchnorm');
  });
});

describe('attributeKernels', () => {
  // two forwards of 10 ms each: 16.5 ms in kernels, a fused conv inside its custom-gradient wrapper
  const roots = [
    wrapper('fusedConv2d__op', 5, [kernel('FusedConv2D', 4, 'block')]),
    kernel('Sigmoid', 1, 'block'),
    kernel('BatchMatMul', 2, 'attention'),
    wrapper('fusedConv2d__op', 3, [kernel('FusedConv2D', 3, 'attention')]),
    kernel('Transpose', 0.5, 'head'),
    kernel('TopK', 1, 'postprocess'),
    kernel('Cast', 1, 'postprocess'),
    kernel('Reshape', 2),
    kernel('MysteryOp', 1),
  ];
  const b = attributeKernels(roots, 20, 2);

  it('gives each entry its own time, so a nested kernel is counted once, per forward', () => {
    expect(b.forwards).toBe(2);
    expect(b.forwardMs).toBe(10);
    expect(b.kernelMs).toBe(8.25);
    expect(b.ms).toEqual({
      conv: 4, // (4 + 1 of its wrapper + 3) / 2
      'depthwise conv': 0,
      attention: 1,
      'split/concat': 0,
      activation: 0.5,
      batchnorm: 0,
      add: 0,
      'upsample/pool': 0,
      'head decode': 0.25,
      postprocess: 1,
      other: 1.5,
      'outside kernels': 1.75,
    });
    expect(sum(b.ms)).toBeCloseTo(b.forwardMs, 12);
    expect(sum(b.percent)).toBeCloseTo(100, 10);
    expect(b.percent.conv).toBeCloseTo(40, 12);
  });
  it('counts kernel runs, not wrappers, and lists what went to other, unknown kernels named', () => {
    expect(b.counts.conv).toBe(1);
    expect(b.counts.postprocess).toBe(1);
    expect(sum(b.counts)).toBe(4.5);
    expect(b.profiledEntries).toBe(5.5);
    expect(b.other).toEqual({ Reshape: 1, MysteryOp: 0.5 });
    expect(Object.keys(b.other)).toEqual(['Reshape', 'MysteryOp']);
    expect(b.unknownKernels).toEqual(['MysteryOp']);
    const text = breakdownReport(b).split('\n');
    expect(text).toHaveLength(BREAKDOWN_KINDS.length + 3);
    expect(text[1]).toMatch(/^ {2}conv +4\.0 ms +40\.0% +1$/);
    expect(text.at(-2)).toBe('  other: Reshape 1.0, MysteryOp 0.5');
    expect(text.at(-1)).toBe('  unknown kernels (counted as other): MysteryOp');
  });
});

/** A tiny model (scale t) on cpu, as built or deployed, warmed up on a 64x64 input, and the names of the kernels tf.profile lists for one forward. */
async function tinyModel(cfg: string, deployed: boolean) {
  await useNodeBackend('cpu');
  const model = loadModel(cfg, { scale: 't' }).eval();
  if (deployed) deploy(model);
  const x = tf.randomUniform([1, 64, 64, 3]);
  model.predict(x).dispose();
  const profile = await tf.profile(async () => {
    const y = model.predict(x);
    await y.data();
    y.dispose();
  });
  const names = profile.kernels.map((k) => k.name);
  return { model, x, names, countOf: (...n: string[]) => names.filter((k) => n.includes(k)).length, dispose: () => (tf.dispose(x), model.dispose()) };
}

describe('profileBreakdown', () => {
  it("attributes every kernel tf.profile lists on a tiny YOLOv8 (cpu): kinds sum to the forward, no unknown kernel", async () => {
    const { model, x, names, countOf, dispose } = await tinyModel(YOLOV8, false);
    const forward = ConvNormAct.prototype.forward;
    const before = tf.memory().numTensors;
    const b = await profileBreakdown(model, x, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(ConvNormAct.prototype.forward).toBe(forward);

    expect(b.forwards).toBe(2);
    expect(b.profiledEntries).toBe(names.length);
    // the fused ops' custom-gradient wrappers are entries but not kernel runs
    expect(sum(b.counts)).toBe(names.filter((n) => !n.endsWith('__op')).length);
    expect(b.counts.conv).toBe(countOf('FusedConv2D', 'Conv2D'));
    expect(b.counts['upsample/pool']).toBe(countOf('MaxPool', 'ResizeNearestNeighbor'));
    expect(b.counts['split/concat']).toBeGreaterThan(0);
    expect(b.counts.activation).toBeGreaterThan(0);
    expect(b.counts['head decode']).toBeGreaterThan(0);
    // as built: BN separate (x * scale + shift per BatchNorm, scale and shift made from its buffers)
    expect(b.counts.batchnorm).toBeGreaterThan(0);
    // YOLOv8 has no attention: DFL's softmax and product are the head's
    expect(b.counts.attention).toBe(0);
    expect(b.unknownKernels).toEqual([]);

    const inKernels = BREAKDOWN_KINDS.filter((k) => k !== 'outside kernels').reduce((a, k) => a + b.ms[k], 0);
    expect(inKernels).toBeCloseTo(b.kernelMs, 9);
    expect(b.kernelMs).toBeGreaterThan(0);
    expect(b.kernelMs).toBeLessThanOrEqual(b.forwardMs);
    expect(sum(b.ms)).toBeCloseTo(b.forwardMs, 9);
    expect(sum(b.percent)).toBeCloseTo(100, 9);
    dispose();
  });
  it('finds the attention of a tiny YOLO11 (C2PSA) and its depthwise pe, deployed', async () => {
    const { model, x, countOf, dispose } = await tinyModel(YOLO11, true);
    const b = await profileBreakdown(model, x, 1);
    expect(b.counts.attention).toBeGreaterThan(0);
    expect(b.counts['depthwise conv']).toBe(countOf('FusedDepthwiseConv2D', 'DepthwiseConv2dNative'));
    expect(b.counts['depthwise conv']).toBeGreaterThan(0);
    // deploy() folded every BN
    expect(b.counts.batchnorm).toBe(0);
    expect(b.unknownKernels).toEqual([]);
    expect(Detect.prototype.forward.name).toBe('forward');
    dispose();
  });
  it("gives a tiny YOLO26's top-k (the end2end head's postprocess) its own kind", async () => {
    const { model, x, countOf, dispose } = await tinyModel(YOLO26, true);
    const b = await profileBreakdown(model, x, 1);
    expect(countOf('TopK')).toBeGreaterThan(0);
    expect(b.counts.postprocess).toBeGreaterThanOrEqual(countOf('TopK'));
    expect(b.counts['head decode']).toBeGreaterThan(0);
    expect(b.unknownKernels).toEqual([]);
    dispose();
  });
});

describe('roofline', () => {
  it('is the probe GFLOP over the median and best times', () => {
    expect(ROOFLINE_GFLOP).toBeCloseTo((2 * 80 * 80 * 128 * 128 * 9) / 1e9, 12);
    const r = rooflineOf([200, 100, 400], 2);
    expect(r).toEqual({ gflop: 2, medianMs: 200, minMs: 100, runs: 3, gflopsPerSecond: 10, bestGflopsPerSecond: 20 });
    expect(rooflineOf([100, 300]).medianMs).toBe(200);
    expect(percentOfRoofline(2.5, r.gflopsPerSecond)).toBe(25);
    expect(() => rooflineOf([])).toThrow(/no probe times/);
  });
  it('measures the probe on the active backend, leaking nothing', async () => {
    await useNodeBackend('cpu');
    const before = tf.memory().numTensors;
    const r = await measureConvRoofline(1, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runs).toBe(1);
    expect(r.gflopsPerSecond).toBeCloseTo(ROOFLINE_GFLOP / (r.medianMs / 1000), 9);
  });
});
