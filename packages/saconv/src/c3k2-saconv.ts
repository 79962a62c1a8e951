import { C3k2, type BottleneckMaker } from '@plugconv/core';
import { Bottleneck_SAConv } from './c2f-saconv.js';

/**
 * C2f_SAConv's bottleneck at every site of a C3k2-family block: {@link Bottleneck_SAConv}(c, c, shortcut, g,
 * (k, k), e=1.0), a Conv then an SAConv2d. The hidden width is c wherever it sits (where C3k2's own Bottleneck
 * would halve it).
 */
export const saconvBottleneck: BottleneckMaker = (c, site) => new Bottleneck_SAConv(c, c, site.shortcut, site.g, [site.k, site.k], 1.0);

/**
 * C3k2_SAConv(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): ultralytics' C3k2 with
 * {@link saconvBottleneck} in place of every Bottleneck (the direct ones, those inside its C3k blocks, the one
 * before a PSABlock); cv1, cv2 and the C3k blocks' cv1..cv3 stay Conv. Same arguments and scale rule as C3k2.
 * Keys as C3k2's, the bottlenecks' m.<i>.cv1.* (Conv) and m.<i>.cv2.* (SAConv2d: weight, weight_diff, switch.*, ...).
 */
export class C3k2_SAConv extends C3k2 {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true) {
    super(c1, c2, n, c3k, e, attn, g, shortcut, saconvBottleneck);
  }
}
