import { BottleneckBase, C2fBase, Conv } from '@plugconv/core';
import { SAConv2d } from './saconv2d.js';

/**
 * The bottleneck of C2f_SAConv: cv1 Conv(c1, c_, k[0]) then cv2 SAConv2d(c_, c2, k[1], groups g), c_ = int(c2*e),
 * plus the input when `shortcut` and c1 == c2 (ultralytics' Bottleneck with its second Conv swapped).
 */
export class Bottleneck_SAConv extends BottleneckBase<Conv, SAConv2d> {
  constructor(c1: number, c2: number, shortcut = true, g = 1, k: [number, number] = [3, 3], e = 0.5) {
    const c = Math.trunc(c2 * e);
    super(new Conv(c1, c, k[0], 1), new SAConv2d(c, c2, k[1], 1, null, g), shortcut && c1 === c2);
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
