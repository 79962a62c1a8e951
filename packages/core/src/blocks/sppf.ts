import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../ops/channels.js';
import { Module } from '../nn/module.js';
import { MaxPool2d } from '../nn/pool.js';
import { Conv } from './conv.js';

/**
 * ultralytics' SPPF(c1, c2, k=5, n=3, shortcut=False): cv1 Conv(c1, c1/2, 1), n chained k x k max pools (one
 * module), concat of cv1's output and every pooling, cv2, plus the input when `shortcut` and c1 == c2.
 * `cv1Act` is the one difference between ultralytics releases: 8.4's cv1 has no activation (the default here),
 * 8.2's has the default one (SiLU); a YAML build sets it from the build's ultralytics semantics.
 */
export class SPPF extends Module {
  /** Entry 1x1 Conv(c1, c1/2), without activation unless `cv1Act`. */
  readonly cv1: Conv;
  /** Exit 1x1 Conv((n + 1) * c1/2, c2) over the input and the n successive poolings. */
  readonly cv2: Conv;
  /** The k x k max pool (stride 1, padding k/2) applied n times. */
  readonly m: MaxPool2d;
  /** Number of chained poolings. */
  readonly n: number;
  /** Whether the input is added to the output (shortcut requested and c1 == c2). */
  readonly add: boolean;
  constructor(c1: number, c2: number, k = 5, n = 3, shortcut = false, cv1Act = false) {
    super();
    const c = Math.trunc(c1 / 2);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, 1, 1, null, 1, 1, cv1Act));
    this.cv2 = this.addModule('cv2', new Conv(c * (n + 1), c2, 1, 1));
    this.m = this.addModule('m', new MaxPool2d(k, 1, Math.trunc(k / 2)));
    this.n = n;
    this.add = shortcut && c1 === c2;
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = [this.cv1.forward(x)];
    for (let i = 0; i < this.n; i++) y.push(this.m.forward(y[y.length - 1]!));
    const out = this.cv2.forward(concatChannels(y));
    return this.add ? tf.add(out, x) : out;
  }
}
