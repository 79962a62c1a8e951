import * as tf from '@tensorflow/tfjs-core';
import type { Detection } from './detection.js';

/** Options of {@link nonMaxSuppression} (ultralytics' non_max_suppression arguments and defaults). */
export interface NmsOptions {
  /** Keep candidates whose best class score is above this (default 0.25). */
  conf?: number;
  /** Suppress boxes overlapping a kept one of the same class by more than this IoU (default 0.7). */
  iou?: number;
  /** At most this many detections per image (default 300). */
  maxDet?: number;
  /** One NMS over all classes instead of per class (default false). */
  agnostic?: boolean;
  /** Keep only these class indices. */
  classes?: number[];
  /** At most this many candidates, by confidence, enter NMS (default 30000). */
  maxNms?: number;
  /** Per-class box offset that separates the classes in one NMS call (default 7680). */
  maxWh?: number;
}

/** Checks a value is a number in [lo, hi]; names the option. */
function check(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new Error(`nms: ${name} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

/**
 * ultralytics 8.2's non_max_suppression for one detection output (B, 4+nc, anchors) of boxes (cx, cy, w, h)
 * and class scores: candidates whose best class score > conf (the first best class on ties), boxes to corners
 * in float32 as torch does, sorted by confidence and cut to maxNms, then tfjs' NMS on the boxes shifted by
 * class * maxWh (so classes never suppress each other unless agnostic), at most maxDet kept, in descending
 * confidence. Returns per image the detections in the input's pixel frame. `values`: `pred`'s data when the
 * caller has read it already (saves a second copy out of the backend).
 */
export async function nonMaxSuppression(pred: tf.Tensor, options: NmsOptions = {}, values?: Float32Array): Promise<Detection[][]> {
  const conf = check('conf', options.conf ?? 0.25, 0, 1);
  const iou = check('iou', options.iou ?? 0.7, 0, 1);
  const maxDet = check('maxDet', options.maxDet ?? 300, 1, Number.MAX_SAFE_INTEGER);
  const maxNms = options.maxNms ?? 30000;
  const maxWh = options.maxWh ?? 7680;
  if (pred.rank !== 3 || pred.shape[1]! < 5) throw new Error(`nms: expected a (batch, 4+nc, anchors) detection output, got [${pred.shape}]`);
  const [batch, rows, anchors] = pred.shape as [number, number, number];
  const nc = rows - 4;
  const keepClass = options.classes ? new Set(options.classes) : null;
  const data = values ?? ((await pred.data()) as Float32Array);
  const out: Detection[][] = [];
  for (let b = 0; b < batch; b++) {
    const base = b * rows * anchors;
    let cand = candidates(data, base, anchors, nc, conf, keepClass);
    if (cand.anchor.length > maxNms) {
      // stable descending sort keeps anchor order among equal scores
      const order = Array.from(cand.anchor.keys()).sort((p, q) => cand.conf[q]! - cand.conf[p]!).slice(0, maxNms);
      cand = { anchor: Int32Array.from(order, (i) => cand.anchor[i]!), conf: Float32Array.from(order, (i) => cand.conf[i]!), cls: Int32Array.from(order, (i) => cand.cls[i]!) };
    }
    const n = cand.anchor.length;
    if (!n) {
      out.push([]);
      continue;
    }
    const corners = new Float32Array(n * 4);
    const shifted = new Float32Array(n * 4); // tfjs order [y1, x1, y2, x2], offset per class
    boxCorners(data, base, anchors, cand, options.agnostic ? 0 : maxWh, corners, shifted);
    const keep = tf.tidy(() => ({ boxes: tf.tensor2d(shifted, [n, 4]), scores: tf.tensor1d(cand.conf) }));
    let idx: tf.Tensor1D;
    try {
      idx = await tf.image.nonMaxSuppressionAsync(keep.boxes, keep.scores, maxDet, iou);
    } finally {
      keep.boxes.dispose();
      keep.scores.dispose();
    }
    const picked = Array.from(await idx.data());
    idx.dispose();
    out.push(picked.map((i) => ({ box: [corners[i * 4]!, corners[i * 4 + 1]!, corners[i * 4 + 2]!, corners[i * 4 + 3]!], conf: cand.conf[i]!, cls: cand.cls[i]! })));
  }
  return out;
}

/** NMS candidates in anchor order: anchor index, best class score and that class (typed arrays of one length). */
interface Candidates {
  anchor: Int32Array;
  conf: Float32Array;
  cls: Int32Array;
}

/**
 * The anchors of one image (from `base` in a (4+nc, anchors) block) whose best class score (the first best on
 * ties) is above `conf` and whose class is kept. Module-level and over typed arrays, so that V8 optimises it once
 * rather than again for every image.
 */
function candidates(data: Float32Array, base: number, anchors: number, nc: number, conf: number, keepClass: Set<number> | null): Candidates {
  const anchor = new Int32Array(anchors);
  const best = new Float32Array(anchors);
  const cls = new Int32Array(anchors);
  let n = 0;
  for (let a = 0; a < anchors; a++) {
    let s = -Infinity;
    let c = 0;
    for (let k = 0; k < nc; k++) {
      const v = data[base + (4 + k) * anchors + a]!;
      if (v > s) {
        s = v;
        c = k;
      }
    }
    if (s > conf && (!keepClass || keepClass.has(c))) {
      anchor[n] = a;
      best[n] = s;
      cls[n] = c;
      n++;
    }
  }
  return { anchor: anchor.subarray(0, n), conf: best.subarray(0, n), cls: cls.subarray(0, n) };
}

/**
 * The candidates' boxes (cx, cy, w, h) as corners in float32, as torch computes them, into `corners` (x1, y1,
 * x2, y2) and, shifted by class * `offset`, into `shifted` in tfjs' order (y1, x1, y2, x2).
 */
function boxCorners(data: Float32Array, base: number, anchors: number, cand: Candidates, offset: number, corners: Float32Array, shifted: Float32Array): void {
  for (let i = 0; i < cand.anchor.length; i++) {
    const a = cand.anchor[i]!;
    const cx = data[base + a]!;
    const cy = data[base + anchors + a]!;
    const hw = Math.fround(data[base + 2 * anchors + a]! / 2);
    const hh = Math.fround(data[base + 3 * anchors + a]! / 2);
    const x1 = Math.fround(cx - hw);
    const y1 = Math.fround(cy - hh);
    const x2 = Math.fround(cx + hw);
    const y2 = Math.fround(cy + hh);
    const o = i * 4;
    corners[o] = x1;
    corners[o + 1] = y1;
    corners[o + 2] = x2;
    corners[o + 3] = y2;
    const off = cand.cls[i]! * offset;
    // a Float32Array stores each sum in float32, as torch's add
    shifted[o] = y1 + off;
    shifted[o + 1] = x1 + off;
    shifted[o + 2] = y2 + off;
    shifted[o + 3] = x2 + off;
  }
}

/**
 * ultralytics' non_max_suppression for an end-to-end head's output (B, k, 6) = [x1, y1, x2, y2, score, class]
 * (YOLO26: already the top-k of the one-to-one predictions, no NMS): per image the rows whose score > conf
 * (and whose class is in `classes`), in their order, at most maxDet. `iou` and `agnostic` do not apply.
 * `values`: `pred`'s data when already read.
 */
export async function end2endDetections(pred: tf.Tensor, options: NmsOptions = {}, values?: Float32Array): Promise<Detection[][]> {
  const conf = check('conf', options.conf ?? 0.25, 0, 1);
  const maxDet = check('maxDet', options.maxDet ?? 300, 1, Number.MAX_SAFE_INTEGER);
  if (pred.rank !== 3 || pred.shape[2] !== 6) throw new Error(`end2end: expected a (batch, k, 6) top-k output, got [${pred.shape}]`);
  const [batch, k] = pred.shape as [number, number, number];
  const keepClass = options.classes ? new Set(options.classes) : null;
  const data = values ?? ((await pred.data()) as Float32Array);
  const out: Detection[][] = [];
  for (let b = 0; b < batch; b++) {
    const dets: Detection[] = [];
    for (let r = 0; r < k && dets.length < maxDet; r++) {
      const o = (b * k + r) * 6;
      const cls = data[o + 5]!;
      if (data[o + 4]! > conf && (!keepClass || keepClass.has(cls))) dets.push({ box: [data[o]!, data[o + 1]!, data[o + 2]!, data[o + 3]!], conf: data[o + 4]!, cls });
    }
    out.push(dets);
  }
  return out;
}
