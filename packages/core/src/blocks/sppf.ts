import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.js';
import { MaxPool2d } from '../nn/pool.js';
import { Conv } from './conv.js';

/** ultralytics' SPPF(c1, c2, k=5): cv1, three chained max pools (one module), concat, cv2. */
export class SPPF extends Module {
  /** Entry 1x1 Conv(c1, c1/2). */
  readonly cv1: Conv;
  /** Exit 1x1 Conv(2 * c1, c2) over the input and three successive poolings. */
  readonly cv2: Conv;
  /** The k x k max pool (stride 1, padding k/2) applied three times. */
  readonly m: MaxPool2d;
  constructor(c1: number, c2: number, k = 5) {
    super();
    const c = Math.trunc(c1 / 2);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, 1, 1));
    this.cv2 = this.addModule('cv2', new Conv(c * 4, c2, 1, 1));
    this.m = this.addModule('m', new MaxPool2d(k, 1, Math.trunc(k / 2)));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = [this.cv1.forward(x)];
    for (let i = 0; i < 3; i++) y.push(this.m.forward(y[y.length - 1]!));
    return this.cv2.forward(tf.concat(y, 3));
  }
}
