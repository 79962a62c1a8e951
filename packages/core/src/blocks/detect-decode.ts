import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { countMacs, isCountingMacs } from '../flops.js';

/**
 * ultralytics' DFL: the expectation of a softmax over `c1` distance bins, as a frozen 1x1 conv with weights
 * 0..c1-1 (key dfl.conv.weight, not trainable). Input (B, A, 4*c1), output (B, A, 4).
 */
export class DFL extends Module<tf.Tensor, tf.Tensor> {
  /** The frozen 1x1 conv holding the bin values 0..c1-1 (key `conv.weight`). */
  readonly conv: Conv2d;
  constructor(
    /** Number of distance bins (ultralytics' reg_max, 16). */
    readonly c1 = 16,
  ) {
    super();
    this.conv = this.addModule('conv', new FrozenConv1x1(c1));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const [b, a] = x.shape as number[];
    const p = tf.softmax(tf.reshape(x, [b!, a!, 4, this.c1]));
    if (isCountingMacs()) countMacs(b! * a! * 4 * this.c1, 'conv');
    const w = tf.reshape(this.conv.weight, [this.c1, 1]);
    return tf.reshape(tf.matMul(tf.reshape(p, [-1, this.c1]), w), [b!, a!, 4]);
  }
}

/** The DFL's Conv2d(c1, 1, 1, bias=False) with weight arange(c1), registered as a frozen parameter. */
class FrozenConv1x1 extends Conv2d {
  constructor(c1: number) {
    super(c1, 1, 1);
    this.requiresGrad(false);
    this.weight.assign(tf.reshape(tf.range(0, c1, 1, 'float32'), [1, 1, c1, 1]));
  }
  override get typeName(): string {
    return 'Conv2d';
  }
}

/** Anchor centres (x+0.5, y+0.5) in grid units and their strides, for feature maps in order. */
export function makeAnchors(
  sizes: [number, number][],
  strides: number[],
  offset = 0.5,
): {
  /** (anchors, 2) anchor centres (x, y) in grid units. */
  points: tf.Tensor2D;
  /** (anchors, 1) the stride of each anchor's level. */
  strides: tf.Tensor2D;
} {
  return tf.tidy(() => {
    const pts: tf.Tensor2D[] = [];
    const str: tf.Tensor2D[] = [];
    sizes.forEach(([h, w], i) => {
      const sx = tf.add(tf.range(0, w, 1, 'float32'), offset);
      const sy = tf.add(tf.range(0, h, 1, 'float32'), offset);
      const xs = tf.tile(tf.reshape(sx, [1, w]), [h, 1]);
      const ys = tf.tile(tf.reshape(sy, [h, 1]), [1, w]);
      pts.push(tf.reshape(tf.stack([xs, ys], -1), [h * w, 2]) as tf.Tensor2D);
      str.push(tf.fill([h * w, 1], strides[i]!) as tf.Tensor2D);
    });
    return { points: tf.concat(pts, 0), strides: tf.concat(str, 0) };
  });
}

/**
 * ultralytics' dist2bbox: distances (left, top, right, bottom) from anchor points, (B, A, 4) and (A, 2) in grid
 * units, to boxes (B, A, 4): xywh (centre, size) or xyxy (corners). Computed without splitting or concatenating
 * channels (a slice or concat along the last axis is a per-element loop on tfjs-backend-wasm), with the same
 * sums as ultralytics: the corners are (x, y, x, y) + (-l, -t, r, b), i.e. anchor - lt and anchor + rb; the
 * centre (x1 + x2) / 2 and the size x2 - x1 come from the corners and their halves swapped.
 */
export function distToBox(dist: tf.Tensor, points: tf.Tensor, xywh: boolean): tf.Tensor {
  const corners = tf.add(tf.tile(points, [1, 2]), tf.mul(dist, tf.tensor1d([-1, -1, 1, 1])));
  if (!xywh) return corners;
  const swapped = tf.gather(corners, tf.tensor1d([2, 3, 0, 1], 'int32'), 2); // (x2, y2, x1, y1)
  const centres = tf.div(tf.add(corners, swapped), 2); // (cx, cy, cx, cy)
  const sizes = tf.sub(corners, swapped); // (x1 - x2, y1 - y2, w, h)
  return tf.where(tf.tensor1d([true, true, false, false], 'bool'), centres, sizes);
}
