import * as tf from '@tensorflow/tfjs-core';
import { C2fBase, Module } from '@plugconv/core';
import { DEFAULT_BITS, DEFAULT_BLOCK } from './dsconv.js';
import { checkQuantization } from './quantize.js';
import { DSConv2D } from './dsconv2d.js';

/**
 * The seed's Bottleneck_DSConv(c1, c2, shortcut=True, g=1, e=0.5): cv1 = DSConv2D(c1, c_, 1), cv2 =
 * DSConv2D(c_, c2, 3, g=g), c_ = int(c2 * e), with a residual when `shortcut` and c1 == c2. (Unlike
 * ultralytics' Bottleneck, the first conv is 1x1.) Keys cv1.conv.weight, cv1.bn.*, cv2.*.
 */
export class Bottleneck_DSConv extends Module {
  /** DSConv2D(c1, c_, 1). */
  readonly cv1: DSConv2D;
  /** DSConv2D(c_, c2, 3, groups g). */
  readonly cv2: DSConv2D;
  /** Whether the input is added (shortcut and c1 == c2). */
  readonly add: boolean;

  constructor(c1: number, c2: number, shortcut = true, g = 1, e = 0.5, bits = DEFAULT_BITS, block = DEFAULT_BLOCK) {
    super();
    const c = Math.trunc(c2 * e);
    this.cv1 = this.addModule('cv1', new DSConv2D(c1, c, 1, 1, null, 1, 1, true, bits, block));
    this.cv2 = this.addModule('cv2', new DSConv2D(c, c2, 3, 1, null, g, 1, true, bits, block));
    this.add = shortcut && c1 === c2;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = this.cv2.forward(this.cv1.forward(x));
    return this.add ? tf.add(x, y) : y;
  }
}

/**
 * The seed's C2f_DSConv(c1, c2, n=1, shortcut=False, g=1, e=0.5), plus this package's `bits` and `block`: the C2f
 * of YOLOv8 with cv1, cv2 and both convs of every bottleneck as {@link DSConv2D} (the bottlenecks are
 * {@link Bottleneck_DSConv}(c, c, shortcut, g, e=1.0)). Keys cv1.*, cv2.*, m.<i>.cv1.*, m.<i>.cv2.*.
 */
export class C2f_DSConv extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5, bits = DEFAULT_BITS, block = DEFAULT_BLOCK) {
    checkQuantization(`C2f_DSConv(${c1}, ${c2}, n=${n})`, bits, block);
    super(
      c1,
      c2,
      n,
      e,
      (c) => new Bottleneck_DSConv(c, c, shortcut, g, 1.0, bits, block),
      (cin, cout) => new DSConv2D(cin, cout, 1, 1, null, 1, 1, true, bits, block),
    );
  }
}
