import { BottleneckBase, C2fBase } from '@plugconv/core';
import { DEFAULT_BITS, DEFAULT_BLOCK } from './dsconv.js';
import { checkQuantization } from './quantize.js';
import { DSConv2D } from './dsconv2d.js';

/**
 * The reference code's Bottleneck_DSConv(c1, c2, shortcut=True, g=1, e=0.5): cv1 = DSConv2D(c1, c_, 1), cv2 =
 * DSConv2D(c_, c2, 3, g=g), c_ = int(c2 * e), with a residual when `shortcut` and c1 == c2. (Unlike
 * ultralytics' Bottleneck, the first conv is 1x1.) Keys cv1.conv.weight, cv1.bn.*, cv2.*.
 */
export class Bottleneck_DSConv extends BottleneckBase<DSConv2D, DSConv2D> {
  constructor(c1: number, c2: number, shortcut = true, g = 1, e = 0.5, bits = DEFAULT_BITS, block = DEFAULT_BLOCK) {
    const c = Math.trunc(c2 * e);
    super(new DSConv2D(c1, c, 1, 1, null, 1, 1, true, bits, block), new DSConv2D(c, c2, 3, 1, null, g, 1, true, bits, block), shortcut && c1 === c2);
  }
}

/**
 * The reference code's C2f_DSConv(c1, c2, n=1, shortcut=False, g=1, e=0.5), plus this package's `bits` and `block`: the C2f
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
