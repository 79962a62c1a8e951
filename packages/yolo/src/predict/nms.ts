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
    const cand: { a: number; conf: number; cls: number }[] = [];
    for (let a = 0; a < anchors; a++) {
      let best = -Infinity;
      let cls = 0;
      for (let c = 0; c < nc; c++) {
        const s = data[base + (4 + c) * anchors + a]!;
        if (s > best) {
          best = s;
          cls = c;
        }
      }
      if (best > conf && (!keepClass || keepClass.has(cls))) cand.push({ a, conf: best, cls });
    }
    if (cand.length > maxNms) {
      // stable descending sort keeps anchor order among equal scores
      cand.sort((p, q) => q.conf - p.conf);
      cand.length = maxNms;
    }
    const n = cand.length;
    if (!n) {
      out.push([]);
      continue;
    }
    const corners = new Float32Array(n * 4);
    const shifted = new Float32Array(n * 4); // tfjs order [y1, x1, y2, x2], offset per class
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const { a, conf: s, cls } = cand[i]!;
      const cx = data[base + a]!;
      const cy = data[base + anchors + a]!;
      const hw = Math.fround(data[base + 2 * anchors + a]! / 2);
      const hh = Math.fround(data[base + 3 * anchors + a]! / 2);
      const x1 = Math.fround(cx - hw);
      const y1 = Math.fround(cy - hh);
      const x2 = Math.fround(cx + hw);
      const y2 = Math.fround(cy + hh);
      corners.set([x1, y1, x2, y2], i * 4);
      const off = options.agnostic ? 0 : cls * maxWh;
      shifted.set([y1 + off, x1 + off, y2 + off, x2 + off], i * 4); // Float32Array stores them in float32, as torch's add
      scores[i] = s;
    }
    const keep = tf.tidy(() => ({ boxes: tf.tensor2d(shifted, [n, 4]), scores: tf.tensor1d(scores) }));
    let idx: tf.Tensor1D;
    try {
      idx = await tf.image.nonMaxSuppressionAsync(keep.boxes, keep.scores, maxDet, iou);
    } finally {
      keep.boxes.dispose();
      keep.scores.dispose();
    }
    const picked = Array.from(await idx.data());
    idx.dispose();
    out.push(picked.map((i) => ({ box: [corners[i * 4]!, corners[i * 4 + 1]!, corners[i * 4 + 2]!, corners[i * 4 + 3]!], conf: cand[i]!.conf, cls: cand[i]!.cls })));
  }
  return out;
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
