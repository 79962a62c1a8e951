import { C3k2, type BottleneckMaker } from '@plugconv/core';
import { Bottleneck_DSConv } from './c2f-dsconv.js';

/**
 * C2f_DSConv's bottleneck at every site of a C3k2-family block: {@link Bottleneck_DSConv}(c, c, shortcut, g,
 * e=1.0), a 1x1 then a 3x3 DSConv2D (8 bits, block 32). The site's kernel and expansion are not used: the hidden
 * width is c wherever it sits (where C3k2 itself would halve it).
 */
export const dsconvBottleneck: BottleneckMaker = (c, site) => new Bottleneck_DSConv(c, c, site.shortcut, site.g, 1.0);

/**
 * C3k2_DSConv(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): ultralytics' C3k2 with
 * {@link dsconvBottleneck} in place of every Bottleneck (the direct ones, those inside its C3k blocks, the one
 * before a PSABlock); cv1, cv2 and the C3k blocks' cv1..cv3 stay Conv. Same arguments and scale rule as C3k2.
 * Quantisation is DSConv2D's default; {@link setQuantization} changes it on a built model. Keys as C3k2's, with
 * m.<i>.cv{1,2}.conv.weight (direct) or m.<i>.m.<j>.cv{1,2}.* (inside C3k).
 */
export class C3k2_DSConv extends C3k2 {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true) {
    super(c1, c2, n, c3k, e, attn, g, shortcut, dsconvBottleneck);
  }
}
