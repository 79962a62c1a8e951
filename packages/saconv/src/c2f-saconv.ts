import * as tf from '@tensorflow/tfjs-core';
import { C2fBase, Conv, Module } from '@plugconv/core';
import { SAConv2d } from './saconv2d.js';

/**
 * The bottleneck of C2f_SAConv: cv1 Conv(c1, c_, k[0]) then cv2 SAConv2d(c_, c2, k[1], groups g), c_ = int(c2*e),
 * plus the input when `shortcut` and c1 == c2 (ultralytics' Bottleneck with its second Conv swapped).
 */
export class Bottleneck_SAConv extends Module {
  /** Conv(c1, c_, k[0]). */
  readonly cv1: Conv;
  /** SAConv2d(c_, c2, k[1], groups g). */
  readonly cv2: SAConv2d;
  /** Whether the input is added to the output. */
  readonly add: boolean;
  constructor(c1: number, c2: number, shortcut = true, g = 1, k: [number, number] = [3, 3], e = 0.5) {
    super();
    const c = Math.trunc(c2 * e);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, k[0], 1));
    this.cv2 = this.addModule('cv2', new SAConv2d(c, c2, k[1], 1, null, g));
    this.add = shortcut && c1 === c2;
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = this.cv2.forward(this.cv1.forward(x));
    return this.add ? tf.add(x, y) : y;
  }
}

/**
 * C2f_SAConv(c1, c2, n=1, shortcut=False, g=1, e=0.5): ultralytics' C2f whose n bottlenecks are
 * {@link Bottleneck_SAConv}(c, c, shortcut, g, k=(3, 3), e=1.0). Keys cv1.*, cv2.*, m.<i>.cv1.*, m.<i>.cv2.*.
 */
export class C2f_SAConv extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5) {
    super(c1, c2, n, e, (c) => new Bottleneck_SAConv(c, c, shortcut, g, [3, 3], 1.0));
  }
}
