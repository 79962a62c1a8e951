import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../ops/channels.js';
import { Identity, Module, Sequential } from '../nn/module.js';
import { Conv, DWConv } from './conv.js';
import { C3 } from './csp.js';

/** ultralytics' GhostConv(c1, c2, k=1, s=1, g=1, act=True): half the channels from a cheap 5x5 depthwise conv. */
export class GhostConv extends Module {
  /** The primary Conv(c1, c2/2, k, s) giving the first half of the channels. */
  readonly cv1: Conv;
  /** The cheap 5x5 depthwise Conv giving the second half from the first. */
  readonly cv2: Conv;
  constructor(c1: number, c2: number, k = 1, s = 1, g = 1, act: boolean | Module = true) {
    super();
    const c = Math.trunc(c2 / 2);
    this.cv1 = this.addModule('cv1', new Conv(c1, c, k, s, null, g, 1, act));
    this.cv2 = this.addModule('cv2', new Conv(c, c, 5, 1, null, c, 1, act));
  }
  forward(x: tf.Tensor): tf.Tensor {
    const y = this.cv1.forward(x);
    return concatChannels([y, this.cv2.forward(y)]);
  }
}

/** ultralytics' GhostBottleneck(c1, c2, k=3, s=1). */
export class GhostBottleneck extends Module {
  /** GhostConv, a stride-2 DWConv (Identity at stride 1), GhostConv without activation. */
  readonly conv: Sequential;
  /** Identity at stride 1; DWConv + Conv (no activations) at stride 2. */
  readonly shortcut: Module;
  constructor(c1: number, c2: number, k = 3, s = 1) {
    super();
    const c = Math.trunc(c2 / 2);
    this.conv = this.addModule(
      'conv',
      new Sequential(new GhostConv(c1, c, 1, 1), s === 2 ? new DWConv(c, c, k, s, 1, false) : new Identity(), new GhostConv(c, c2, 1, 1, 1, false)),
    );
    this.shortcut = this.addModule(
      'shortcut',
      s === 2 ? new Sequential(new DWConv(c1, c1, k, s, 1, false), new Conv(c1, c2, 1, 1, null, 1, 1, false)) : new Identity(),
    );
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(this.conv.forward(x), this.shortcut.forward(x));
  }
}

/** ultralytics' C3Ghost: C3 with GhostBottlenecks. */
export class C3Ghost extends C3 {
  constructor(c1: number, c2: number, n = 1, shortcut = true, g = 1, e = 0.5) {
    super(c1, c2, n, shortcut, g, e, (c) => new GhostBottleneck(c, c));
  }
}
