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
    tf.tidy(() => this.weight.assign(tf.reshape(tf.range(0, c1, 1, 'float32'), [1, 1, c1, 1])));
  }
  override get typeName(): string {
    return 'Conv2d';
  }
}

/**
 * Anchor centres (x + offset, y + offset) in grid units and their strides, for feature maps in order, as plain
 * arrays: `points` is (anchors, 2) row-major, `strides` (anchors, 1). Row-major over each map, level by level.
 */
export function makeAnchors(
  sizes: [number, number][],
  strides: number[],
  offset = 0.5,
): {
  /** (anchors, 2) anchor centres (x, y) in grid units. */
  points: Float32Array;
  /** (anchors, 1) the stride of each anchor's level. */
  strides: Float32Array;
} {
  const count = sizes.reduce((n, [h, w]) => n + h * w, 0);
  const points = new Float32Array(count * 2);
  const levelOf = new Float32Array(count);
  // plain loops, no per-call closure: V8 optimises a closure per instance, so a callback made anew on every
  // call was compiled again for every new input size (a letterboxed folder of photos changes size often)
  let a = 0;
  for (let i = 0; i < sizes.length; i++) {
    const [h, w] = sizes[i]!;
    const stride = strides[i]!;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, a++) {
        points[2 * a] = x + offset;
        points[2 * a + 1] = y + offset;
        levelOf[a] = stride;
      }
    }
  }
  return { points, strides: levelOf };
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
