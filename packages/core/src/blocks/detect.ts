import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../ops/channels.js';
import { Identity, Module, ModuleList, Sequential } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { Conv, defaultActivation, DWConv } from './conv.js';
import { isFusable, type Fusable } from './fusable.js';
import { isCountingMacs } from '../flops.js';
import { DFL, distToBox, makeAnchors } from './detect-decode.js';
import { topkFromParts } from './detect-topk.js';

/** Passes x through with a zero gradient (PyTorch's detach()). */
function detach(x: tf.Tensor): tf.Tensor {
  const passThrough = tf.customGrad(((t: tf.Tensor) => ({ value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as Parameters<typeof tf.customGrad>[0]);
  return passThrough(x) as tf.Tensor;
}

/**
 * ultralytics' (8.4) Detect(nc=80, reg_max=16, end2end=False, ch) with its `legacy` class flag as the last
 * argument (a YAML build sets it: legacy unless a C3k2, A2C2f or C2fCIB came before). Per level a box branch
 * cv2 = Conv(x, c2, 3), Conv(c2, c2, 3), Conv2d(c2, 4 * reg_max, 1) and a class branch cv3: legacy Conv(x, c3,
 * 3), Conv(c3, c3, 3), Conv2d(c3, nc, 1); otherwise (DWConv(x, x, 3), Conv(x, c3, 1)), (DWConv(c3, c3, 3),
 * Conv(c3, c3, 1)), Conv2d(c3, nc, 1); c2 = max(16, ch[0] // 4, 4 * reg_max), c3 = max(ch[0], min(nc, 100)).
 * DFL decodes reg_max > 1 bins (reg_max 1: the distances directly). `end2end` adds one-to-one copies
 * (one2one_cv2, one2one_cv3) run on the same features.
 *
 * Training: the per-level maps (NHWC, 4 * reg_max + nc channels), one-to-many then (end2end) one-to-one.
 * Eval: (B, 4 + nc, anchors) = cat(xywh boxes in pixels, sigmoid(cls)), anchors level by level, row-major;
 * end2end: the one-to-one branch decoded to xyxy and reduced to the top-k (B, min(maxDet, anchors), 6) =
 * [x1, y1, x2, y2, score, class] (see {@link Detect.postprocess}), no NMS.
 */
export class Detect extends Module<tf.Tensor[], tf.Tensor | tf.Tensor[]> implements Fusable {
  /** Number of classes. */
  readonly nc: number;
  /** Number of detection levels (feature maps in). */
  readonly nl: number;
  /** DFL bins per box side (ultralytics' reg_max; 1 = distances regressed directly). */
  readonly regMax: number;
  /** Outputs per anchor: nc + 4 * regMax. */
  readonly no: number;
  /** Whether the class branch has the legacy (YOLOv8) form. */
  readonly legacy: boolean;
  /** Whether the head has one-to-one branches and decodes them end to end (top-k, no NMS). */
  readonly end2end: boolean;
  /** Strides of the levels, set from a dry run when the model is built. */
  stride: number[];
  /** Per level, the one-to-many box branch; null once `fuse()` dropped it (end2end heads). */
  cv2: ModuleList<Sequential> | null;
  /** Per level, the one-to-many class branch; null once `fuse()` dropped it (end2end heads). */
  cv3: ModuleList<Sequential> | null;
  /** Decodes the box branch's bins into distances (Identity for regMax 1). */
  readonly dfl: Module<tf.Tensor, tf.Tensor>;
  /** Per level, the one-to-one box branch (end2end heads), key prefix `one2one_cv2.`. */
  readonly one2oneCv2: ModuleList<Sequential> | null;
  /** Per level, the one-to-one class branch (end2end heads), key prefix `one2one_cv3.`. */
  readonly one2oneCv3: ModuleList<Sequential> | null;
  /** Detections kept per image by the end-to-end top-k (ultralytics' max_det). */
  maxDet = 300;
  /**
   * End2end heads in eval: return the decoded one-to-one predictions (B, 4 + nc, anchors), xyxy, instead of the
   * top-k (what a parity check compares first; ultralytics' output before postprocess).
   */
  rawOutput = false;
  /**
   * Anchor centres and strides of the last input size, as plain arrays (recomputed when the sizes or strides
   * change): each forward makes its tensors from them, so no tensor outlives a forward and none needs freeing.
   */
  private anchors: { key: string; points: Float32Array; strides: Float32Array } | null = null;

  constructor(nc = 80, regMax = 16, end2end = false, ch: number[] = [], legacy = false) {
    super();
    if (!Number.isInteger(regMax) || regMax < 1) throw new Error(`Detect: reg_max must be a positive integer, got ${regMax}`);
    this.nc = nc;
    this.nl = ch.length;
    this.regMax = regMax;
    this.no = nc + regMax * 4;
    this.legacy = legacy;
    this.end2end = end2end;
    this.stride = new Array(this.nl).fill(0);
    const c2 = Math.max(16, Math.trunc(ch[0]! / 4), regMax * 4);
    const c3 = Math.max(ch[0]!, Math.min(nc, 100));
    const conv = (a: number, b: number, k: number, act: boolean | Module) => new Conv(a, b, k, 1, null, 1, 1, act);
    const boxBranch = (act: boolean | Module) => (x: number) => new Sequential(conv(x, c2, 3, act), conv(c2, c2, 3, act), new Conv2d(c2, 4 * regMax, 1, { bias: true }));
    const clsBranch = (act: boolean | Module) => (x: number) =>
      legacy
        ? new Sequential(conv(x, c3, 3, act), conv(c3, c3, 3, act), new Conv2d(c3, nc, 1, { bias: true }))
        : new Sequential(
            new Sequential(new DWConv(x, x, 3, 1, 1, act), conv(x, c3, 1, act)),
            new Sequential(new DWConv(c3, c3, 3, 1, 1, act), conv(c3, c3, 1, act)),
            new Conv2d(c3, nc, 1, { bias: true }),
          );
    this.cv2 = this.addModule('cv2', new ModuleList(ch.map(boxBranch(true))));
    this.cv3 = this.addModule('cv3', new ModuleList(ch.map(clsBranch(true))));
    this.dfl = this.addModule('dfl', regMax > 1 ? new DFL(regMax) : new Identity());
    // ultralytics deep-copies each one-to-many branch: same values, and one copy of the shared activation per branch
    this.one2oneCv2 = end2end ? this.addModule('one2one_cv2', copyOf(this.cv2, new ModuleList(ch.map(boxBranch(freshActivation()))))) : null;
    this.one2oneCv3 = end2end ? this.addModule('one2one_cv3', copyOf(this.cv3, new ModuleList(ch.map(clsBranch(freshActivation()))))) : null;
  }

  /** Training mode: the raw per-level maps. Eval mode: decoded predictions, see the class description. */
  forward(xs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    if (xs.length !== this.nl) throw new Error(`Detect: expected ${this.nl} feature maps, got ${xs.length}`);
    if (this.training) {
      if (!this.cv2 || !this.cv3) throw new Error('Detect: fuse() removed the one-to-many branch that training needs');
      const maps = this.levelMaps(xs, this.cv2, this.cv3);
      if (this.one2oneCv2 && this.one2oneCv3) maps.push(...this.levelMaps(xs.map(detach), this.one2oneCv2, this.one2oneCv3));
      return maps;
    }
    // ultralytics' eval forward of an end2end head also runs the one-to-many branch (its second output): that
    // work is part of the model's GFLOPs until fuse() drops the branch, so it is counted, not computed
    if (this.end2end && this.cv2 && this.cv3 && isCountingMacs()) tf.dispose(this.levelMaps(xs, this.cv2, this.cv3));
    const boxHead = this.end2end ? this.one2oneCv2 : this.cv2;
    const clsHead = this.end2end ? this.one2oneCv3 : this.cv3;
    const { boxes, scores } = this.decode(xs, boxHead!, clsHead!);
    if (this.end2end && !this.rawOutput) return this.postprocess(boxes, scores);
    // (B, 4 + nc, A): two contiguous blocks once transposed, where a concat along the last axis copies per anchor
    return tf.concat([tf.transpose(boxes, [0, 2, 1]), tf.transpose(scores, [0, 2, 1])], 1);
  }

  /**
   * ultralytics' Detect.postprocess of an end2end head: the top-k detections (B, min(maxDet, A), 6) = [x1, y1,
   * x2, y2, score, class] of decoded boxes (B, A, 4) and class scores (B, A, nc), no NMS (see
   * {@link topkFromParts}).
   */
  postprocess(boxes: tf.Tensor, scores: tf.Tensor): tf.Tensor {
    return topkFromParts(boxes, scores, this.maxDet);
  }

  private levelMaps(xs: tf.Tensor[], box: ModuleList<Sequential>, cls: ModuleList<Sequential>): tf.Tensor[] {
    return xs.map((x, i) => concatChannels([box.items[i]!.forward(x), cls.items[i]!.forward(x)]));
  }

  /** Decoded predictions: boxes (B, A, 4) in pixels (xywh, or xyxy for end2end) and sigmoid scores (B, A, nc). */
  private decode(xs: tf.Tensor[], box: ModuleList<Sequential>, cls: ModuleList<Sequential>): { boxes: tf.Tensor; scores: tf.Tensor } {
    const b = xs[0]!.shape[0]!;
    const dist = tf.concat(xs.map((x, i) => tf.reshape(box.items[i]!.forward(x), [b, -1, 4 * this.regMax])), 1);
    const scores = tf.concat(xs.map((x, i) => tf.reshape(cls.items[i]!.forward(x), [b, -1, this.nc])), 1);
    const { points, strides } = this.anchorsFor(xs.map((x) => [x.shape[1]!, x.shape[2]!]));
    return { boxes: tf.mul(distToBox(this.dfl.forward(dist), points, !this.end2end), strides), scores: tf.sigmoid(scores) };
  }

  /** {@link makeAnchors} for these feature-map sizes: computed once per input size, uploaded per forward. */
  private anchorsFor(sizes: [number, number][]): { points: tf.Tensor2D; strides: tf.Tensor2D } {
    const key = JSON.stringify([sizes, this.stride]);
    if (this.anchors?.key !== key) {
      this.anchors = { key, ...makeAnchors(sizes, this.stride) };
    }
    const count = this.anchors.strides.length;
    return { points: tf.tensor2d(this.anchors.points, [count, 2]), strides: tf.tensor2d(this.anchors.strides, [count, 1]) };
  }

  /** The stride of every anchor, for feature maps of the given (height, width) sizes, level by level. */
  anchorStrides(sizes: [number, number][]): number[] {
    return sizes.flatMap(([h, w], i) => new Array<number>(h * w).fill(this.stride[i]!));
  }

  /**
   * ultralytics' Detect.fuse(): an end2end head drops its one-to-many branch (eval uses the one-to-one one);
   * other heads are unchanged. Their Convs are folded before they are freed, so a fusion pass that reaches
   * them later finds nothing left to do.
   */
  fuse(): void {
    if (!this.end2end || !this.cv2 || !this.cv3) return;
    for (const branch of [this.cv2, this.cv3]) {
      for (const [, m] of branch.namedModules()) if (m !== branch && isFusable(m)) m.fuse();
      branch.dispose();
    }
    this.cv2 = this.cv3 = null;
    this.setModule('cv2', null);
    this.setModule('cv3', null);
  }

  /**
   * ultralytics' bias_init on every branch: box biases `box` (1.0 in 8.2, 2.0 in 8.4), class biases
   * log(5 / nc / (640 / s)^2). Needs strides.
   */
  biasInit(box = 2.0): void {
    tf.tidy(() => {
      for (const [boxes, classes] of [
        [this.cv2, this.cv3],
        [this.one2oneCv2, this.one2oneCv3],
      ]) {
        if (!boxes || !classes) continue;
        for (let i = 0; i < this.nl; i++) {
          const a = boxes.items[i]!.layers[2] as Conv2d;
          const c = classes.items[i]!.layers[2] as Conv2d;
          a.bias!.assign(tf.fill(a.bias!.shape, box));
          c.bias!.assign(tf.fill([this.nc], Math.log(5 / this.nc / (640 / this.stride[i]!) ** 2)));
        }
      }
    });
  }
}

/** A new module of the default activation's class (what deep-copying the shared activation gives). */
function freshActivation(): Module {
  return new (defaultActivation.module.constructor as new () => Module)();
}

/** `target` with the values of `source` (same architecture): ultralytics deep-copies the one-to-many branch. */
function copyOf<M extends Module<any, any>>(source: Module<any, any>, target: M): M {
  const sd = source.stateDict();
  target.loadStateDict(sd);
  for (const t of sd.values()) t.dispose();
  return target;
}
