import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, C2fBase, checkIntArgs, concatChannels, fuseSequentialBn, Identity, Module, ReLU, Sequential, splitChannels, type Fusable } from '@plugconv/core';
import { DynamicConv2d } from './dynamic-conv2d.js';

/**
 * The reference code's GhostModule(inp, oup, k=1, ratio=2, dw=3, s=1, act=ReLU, experts=4) with dynamic convolutions:
 * init = ceil(oup/ratio) channels from primary_conv = DynamicConv2d(inp, init, k, s, k//2) -> BN -> ReLU,
 * init*(ratio-1) more from cheap_operation = depthwise DynamicConv2d(init, new, dw, 1, dw//2, g=init) -> BN
 * -> ReLU; both concatenated and cut to oup channels. Keys primary_conv.0.*, primary_conv.1.*,
 * cheap_operation.0.*, cheap_operation.1.*.
 */
export class GhostModule extends Module implements Fusable {
  /** Output channels (the concatenation is cut to this many). */
  readonly oup: number;
  /** DynamicConv2d -> BN -> ReLU producing the first ceil(oup/ratio) channels (keys `primary_conv.*`). */
  readonly primaryConv: Sequential;
  /** Depthwise DynamicConv2d -> BN -> ReLU producing the ghost channels (keys `cheap_operation.*`). */
  readonly cheapOperation: Sequential;

  constructor(inp: number, oup: number, k = 1, ratio = 2, dwSize = 3, s = 1, act = true, experts = 4) {
    super();
    checkIntArgs('GhostModule', { ratio }, 2);
    this.oup = oup;
    const init = Math.ceil(oup / ratio);
    const fresh = init * (ratio - 1);
    const activation = () => (act ? new ReLU() : new Identity());
    this.primaryConv = this.addModule(
      'primary_conv',
      new Sequential(new DynamicConv2d(inp, init, k, s, Math.floor(k / 2), 1, 1, false, experts), new BatchNorm2d(init), activation()),
    );
    this.cheapOperation = this.addModule(
      'cheap_operation',
      new Sequential(new DynamicConv2d(init, fresh, dwSize, 1, Math.floor(dwSize / 2), 1, init, false, experts), new BatchNorm2d(fresh), activation()),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    const x1 = this.primaryConv.forward(x);
    const x2 = this.cheapOperation.forward(x1);
    const out = concatChannels([x1, x2]);
    const c = out.shape[3]!;
    // the first oup channels (a channel split: on wasm a heap copy, not tfjs' per-pixel slice)
    return c === this.oup ? out : splitChannels(out, [this.oup, c - this.oup])[0]!;
  }

  /** Folds both BatchNorms into their dynamic convolutions (keys primary_conv.0.bias, cheap_operation.0.bias). */
  fuse(): void {
    fuseSequentialBn(this.primaryConv, 1);
    fuseSequentialBn(this.cheapOperation, 1);
  }
}

/**
 * The reference code's C2f_GhostModule_DynamicConv(c1, c2, n=1, shortcut=false, g=1, e=0.5, experts=4): ultralytics'
 * C2f whose n inner blocks are {@link GhostModule}(c, c) (shortcut and g are accepted and unused, as in the
 * seed).
 */
export class C2f_GhostModule_DynamicConv extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5, experts = 4) {
    super(c1, c2, n, e, (c) => new GhostModule(c, c, 1, 2, 3, 1, true, experts));
    void shortcut;
    void g;
  }
}
