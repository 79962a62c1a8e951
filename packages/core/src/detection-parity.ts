import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './nn/module.js';
import { DetectionModel } from './model/detection-model.js';
import { topkDetections } from './blocks/detect-topk.js';
import { combineComparisons, ErrorTally, tallyComparison, type Comparison, type Tolerance } from './parity-tally.js';

/** Whether `m` is a detection model with a Detect head (its outputs are compared by the detection rule). */
export function isDetector(m: Module<any, any>): m is DetectionModel {
  return m instanceof DetectionModel && m.head !== null;
}

/** A detector's eval outputs for one input, in PyTorch layout, and where its anchors sit. */
export interface DetectionOutputs {
  /** What the model returns: (B, 4 + nc, anchors), or the top-k (B, k, 6) of an end2end head. */
  output: tf.Tensor;
  /** End2end heads: the decoded one-to-one predictions (B, 4 + nc, anchors), xyxy, before the top-k. */
  raw: tf.Tensor | null;
  /** The stride of every anchor, in output order. */
  strides: number[];
}

/**
 * Runs a PyTorch-layout (NCHW) input through a detector in eval mode. An end2end head runs once with its raw
 * output and the top-k is taken from that, as the head itself would. The caller disposes the tensors.
 */
export function detectionOutputs(model: DetectionModel, input: tf.Tensor): DetectionOutputs {
  model.eval();
  const head = model.head!;
  const strides = model.anchorStrides(input.shape[2]!, input.shape[3]!);
  const run = () => tf.tidy(() => model.forward(tf.transpose(input, [0, 2, 3, 1])) as tf.Tensor);
  if (!head.end2end) return { output: run(), raw: null, strides };
  head.rawOutput = true;
  let raw: tf.Tensor;
  try {
    raw = run();
  } finally {
    head.rawOutput = false;
  }
  const output = tf.tidy(() => topkDetections(tf.transpose(raw, [0, 2, 1]), head.nc, head.maxDet));
  return { output, raw, strides };
}

/**
 * Detection rows (B, 4 + nc, anchors): the four box rows (xywh or xyxy, pixels) compared in grid cells, i.e.
 * both sides divided by the anchor's stride, the class rows as they are.
 */
export function compareBoxRows(y: ArrayLike<number>, ref: ArrayLike<number>, shape: readonly number[], strides: readonly number[], tol: Tolerance, what = 'output'): Comparison {
  const [, rows, anchors] = shape as [number, number, number];
  if (strides.length !== anchors) throw new Error(`${what}: ${anchors} anchors, but the model has ${strides.length} for this input`);
  const t = new ErrorTally(tol);
  for (let i = 0; i < y.length; i++) {
    const a = i % anchors;
    const box = Math.floor(i / anchors) % rows! < 4;
    const s = box ? strides[a]! : 1;
    t.add(y[i]! / s, ref[i]! / s, i);
  }
  return tallyComparison(t, shape, y.length, `${what} (boxes in grid cells)`);
}

/**
 * The stride of the anchor whose decoded box in `raw` (B, 4 + nc, anchors) is closest to `box` (largest
 * coordinate difference), for image `b`: locates a top-k row's anchor.
 */
export function anchorStrideOf(raw: ArrayLike<number>, rawShape: readonly number[], strides: readonly number[]): (b: number, box: readonly number[]) => number {
  const [, rows, anchors] = rawShape as [number, number, number];
  return (b, box) => {
    let best = 0;
    let bestD = Infinity;
    const base = b * rows * anchors;
    for (let a = 0; a < anchors; a++) {
      let d = 0;
      for (let j = 0; j < 4; j++) d = Math.max(d, Math.abs(raw[base + j * anchors + a]! - box[j]!));
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return strides[best]!;
  };
}

/**
 * Top-k detections (B, k, 6) = [x1, y1, x2, y2, score, class]: the score sequences position by position; each
 * row's (class, box) against the reference's row at the same rank or, where scores tie within the tolerance,
 * an unused reference row with that score, class and box (tied rows may come in any order); a row tied with
 * the reference's last score may be one the reference cut off. Boxes are compared in grid cells (`strideOf`
 * gives a reference row's anchor stride); a class mismatch fails at its index.
 */
export function compareTopk(y: ArrayLike<number>, ref: ArrayLike<number>, shape: readonly number[], strideOf: (b: number, box: readonly number[]) => number, tol: Tolerance, what = 'output'): Comparison {
  const [batch, k, width] = shape as [number, number, number];
  if (width !== 6) throw new Error(`${what}: top-k rows must have 6 values (x1, y1, x2, y2, score, class), got ${width}`);
  const t = new ErrorTally(tol);
  const at = (b: number, r: number, j: number) => (b * k + r) * 6 + j;
  for (let b = 0; b < batch; b++) {
    const used = new Array<boolean>(k).fill(false);
    const strides = Array.from({ length: k }, (_, r) => strideOf(b, [0, 1, 2, 3].map((j) => ref[at(b, r, j)]!)));
    const boxFits = (r: number, r2: number) => [0, 1, 2, 3].every((j) => t.within(y[at(b, r, j)]! / strides[r2]!, ref[at(b, r2, j)]! / strides[r2]!));
    const sameRow = (r: number, r2: number) => !used[r2] && y[at(b, r, 5)] === ref[at(b, r2, 5)] && boxFits(r, r2);
    const last = ref[at(b, k - 1, 4)]!;
    for (let r = 0; r < k; r++) {
      const score = y[at(b, r, 4)]!;
      t.add(score, ref[at(b, r, 4)]!, at(b, r, 4));
      let match = sameRow(r, r) ? r : -1;
      for (let r2 = 0; match < 0 && r2 < k; r2++) if (t.within(score, ref[at(b, r2, 4)]!) && sameRow(r, r2)) match = r2;
      if (match >= 0) {
        used[match] = true;
        for (let j = 0; j < 4; j++) t.add(y[at(b, r, j)]! / strides[match]!, ref[at(b, match, j)]! / strides[match]!, at(b, r, j));
        continue;
      }
      if (t.within(score, last)) continue; // tied with the cut-off: possibly a row the reference did not keep
      if (y[at(b, r, 5)] !== ref[at(b, r, 5)]) t.fail(y[at(b, r, 5)]!, ref[at(b, r, 5)]!, at(b, r, 5));
      else for (let j = 0; j < 4; j++) t.add(y[at(b, r, j)]! / strides[r]!, ref[at(b, r, j)]! / strides[r]!, at(b, r, j));
    }
  }
  return tallyComparison(t, shape, y.length, `${what} (top-k: ties may swap, boxes in grid cells)`);
}

/**
 * The detection rule on read-back data: a plain head's output by {@link compareBoxRows}; an end2end head's
 * `output_raw` by {@link compareBoxRows} (when the reference has one), then its top-k by {@link compareTopk}.
 */
export function compareDetectionOutputs(
  ours: {
    /** The model's output, flat. */
    output: ArrayLike<number>;
    /** End2end: the raw one-to-one predictions, flat. */
    raw: ArrayLike<number> | null;
  },
  ref: {
    /** The reference output, flat. */
    output: ArrayLike<number>;
    /** End2end: the reference `output_raw`, flat, if the fixture has one. */
    raw: ArrayLike<number> | null;
  },
  layout: Pick<DetectionOutputs, 'strides'> & {
    /** The output tensor (its shape). */
    output: { shape: number[] };
    /** End2end: the raw tensor (its shape). */
    raw: { shape: number[] } | null;
  },
  tol: Tolerance,
): Comparison {
  if (!ours.raw || !layout.raw) return compareBoxRows(ours.output, ref.output, layout.output.shape, layout.strides, tol);
  const locate = anchorStrideOf(ref.raw ?? ours.raw, layout.raw.shape, layout.strides);
  const topk = compareTopk(ours.output, ref.output, layout.output.shape, locate, tol);
  if (!ref.raw) return topk;
  return combineComparisons([compareBoxRows(ours.raw, ref.raw, layout.raw.shape, layout.strides, tol, 'output_raw'), topk], 'end2end detections');
}
