import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.js';
import { MaxPool2d } from '../nn/pool.js';
import { Conv } from './conv.js';

/** ultralytics' SPPF(c1, c2, k=5): cv1, three chained max pools (one module), concat, cv2. */
export class SPPF extends Module {
  readonly cv1: Conv;
  readonly cv2: Conv;
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
