import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList, Sequential } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { Conv } from './conv.js';
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
 * ultralytics' Detect(nc, ch): per level a box branch cv2 (Conv, Conv, Conv2d(4*reg_max)) and a class branch
 * cv3 (Conv, Conv, Conv2d(nc)). Training: the raw per-level maps (NHWC, 4*reg_max+nc channels). Eval:
 * (B, 4+nc, anchors) = cat(xywh boxes in pixels, sigmoid(cls)), anchors ordered level by level, row-major.
 */
export class Detect extends Module<tf.Tensor[], tf.Tensor | tf.Tensor[]> {
  /** Number of classes. */
  readonly nc: number;
  /** Number of detection levels (feature maps in). */
  readonly nl: number;
  /** DFL bins per box side (ultralytics' reg_max). */
  readonly regMax = 16;
  /** Outputs per anchor: nc + 4 * regMax. */
  readonly no: number;
  /** Strides of the levels, set from a dry run when the model is built. */
  stride: number[];
  /** Per level, the box branch: Conv, Conv, Conv2d(4 * regMax). */
  readonly cv2: ModuleList<Sequential>;
  /** Per level, the class branch: Conv, Conv, Conv2d(nc). */
  readonly cv3: ModuleList<Sequential>;
  /** Decodes the box branch's bins into distances. */
  readonly dfl: DFL;

  constructor(nc = 80, ch: number[] = []) {
    super();
    this.nc = nc;
    this.nl = ch.length;
    this.no = nc + this.regMax * 4;
    this.stride = new Array(this.nl).fill(0);
    const c2 = Math.max(16, Math.trunc(ch[0]! / 4), this.regMax * 4);
    const c3 = Math.max(ch[0]!, Math.min(nc, 100));
    this.cv2 = this.addModule('cv2', new ModuleList(ch.map((x) => new Sequential(new Conv(x, c2, 3), new Conv(c2, c2, 3), new Conv2d(c2, 4 * this.regMax, 1, { bias: true })))));
    this.cv3 = this.addModule('cv3', new ModuleList(ch.map((x) => new Sequential(new Conv(x, c3, 3), new Conv(c3, c3, 3), new Conv2d(c3, nc, 1, { bias: true })))));
    this.dfl = this.addModule('dfl', new DFL(this.regMax));
  }

  /** Training mode: the raw per-level maps. Eval mode: decoded (B, 4+nc, anchors), see {@link Detect.inference}. */
  forward(xs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    if (xs.length !== this.nl) throw new Error(`Detect: expected ${this.nl} feature maps, got ${xs.length}`);
    const maps = xs.map((x, i) => tf.concat([this.cv2.items[i]!.forward(x), this.cv3.items[i]!.forward(x)], 3));
    if (this.training) return maps;
    return this.inference(maps);
  }

  /** Decodes per-level maps into (B, 4+nc, anchors). */
  inference(maps: tf.Tensor[]): tf.Tensor {
    const b = maps[0]!.shape[0]!;
    const flat = tf.concat(maps.map((m) => tf.reshape(m, [b, -1, this.no])), 1);
    const [box, cls] = tf.split(flat, [this.regMax * 4, this.nc], 2);
    const dist = this.dfl.forward(box!);
    const sizes = maps.map((m) => [m.shape[1]!, m.shape[2]!] as [number, number]);
    const { points, strides } = makeAnchors(sizes, this.stride);
    const [lt, rb] = tf.split(dist, 2, 2);
    const x1y1 = tf.sub(points, lt!);
    const x2y2 = tf.add(points, rb!);
    const cxy = tf.div(tf.add(x1y1, x2y2), 2);
    const wh = tf.sub(x2y2, x1y1);
    const boxes = tf.mul(tf.concat([cxy, wh], 2), strides);
    const y = tf.concat([boxes, tf.sigmoid(cls!)], 2);
    return tf.transpose(y, [0, 2, 1]);
  }

  /** ultralytics' bias_init: box biases 1, class biases log(5 / nc / (640 / s)^2). Needs strides. */
  biasInit(): void {
    tf.tidy(() => {
      for (let i = 0; i < this.nl; i++) {
        const a = this.cv2.items[i]!.layers[2] as Conv2d;
        const b = this.cv3.items[i]!.layers[2] as Conv2d;
        a.bias!.assign(tf.onesLike(a.bias!));
        b.bias!.assign(tf.fill([this.nc], Math.log(5 / this.nc / (640 / this.stride[i]!) ** 2)));
      }
    });
  }
}
