import { BottleneckBase, C2fBase } from '@plugconv/core';
import { DynamicConv } from './dynamic-conv.js';

/**
 * ultralytics' Bottleneck(c1, c2, shortcut=true, g=1, k=(3, 3), e=0.5) with both convolutions DynamicConv
 * (cv2 takes the groups), `experts` experts each. State keys cv1.conv.routing.*, cv1.conv.cond_conv.weight,
 * cv1.bn.*, cv2.…
 */
export class Bottleneck_DynamicConv extends BottleneckBase<DynamicConv, DynamicConv> {
  constructor(c1: number, c2: number, shortcut = true, g = 1, k: [number, number] = [3, 3], e = 0.5, experts = 4) {
    const c = Math.trunc(c2 * e);
    super(new DynamicConv(c1, c, k[0], 1, null, 1, 1, true, experts), new DynamicConv(c, c2, k[1], 1, null, g, 1, true, experts), shortcut && c1 === c2);
  }
}

/**
 * C2f_DynamicConv(c1, c2, n=1, shortcut=false, g=1, e=0.5, experts=4): ultralytics' C2f whose n bottlenecks
 * are {@link Bottleneck_DynamicConv}(c, c, shortcut, g, (3, 3), 1.0); cv1 and cv2 stay Conv.
 */
export class C2f_DynamicConv extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5, experts = 4) {
    super(c1, c2, n, e, (c) => new Bottleneck_DynamicConv(c, c, shortcut, g, [3, 3], 1.0, experts));
  }
}
