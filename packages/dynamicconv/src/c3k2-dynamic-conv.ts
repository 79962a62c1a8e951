import { C3k2, type BottleneckMaker } from '@plugconv/core';
import { Bottleneck_DynamicConv } from './c2f-dynamic-conv.js';
import { GhostModule } from './ghost-module.js';

/**
 * C2f_DynamicConv's bottleneck at every site of a C3k2-family block: {@link Bottleneck_DynamicConv}(c, c,
 * shortcut, g, (k, k), e=1.0), two DynamicConvs with 4 experts. The hidden width is c wherever it sits (where
 * C3k2's own Bottleneck would halve it).
 */
export const dynamicConvBottleneck: BottleneckMaker = (c, site) => new Bottleneck_DynamicConv(c, c, site.shortcut, site.g, [site.k, site.k], 1.0);

/**
 * C2f_GhostModule_DynamicConv's inner block at every site of a C3k2-family block: {@link GhostModule}(c, c) of
 * dynamic convolutions (no residual; the site's shortcut, groups, kernel and expansion are not used, as in the C2f).
 */
export const ghostModuleBottleneck: BottleneckMaker = (c) => new GhostModule(c, c);

/**
 * C3k2_DynamicConv(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): ultralytics' C3k2 with
 * {@link dynamicConvBottleneck} in place of every Bottleneck (the direct ones, those inside its C3k blocks, the
 * one before a PSABlock); cv1, cv2 and the C3k blocks' cv1..cv3 stay Conv. Same arguments and scale rule as C3k2.
 * Keys as C3k2's, the bottlenecks' m.<i>.cv{1,2}.conv.routing.*, .conv.cond_conv.weight, .bn.*.
 */
export class C3k2_DynamicConv extends C3k2 {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true) {
    super(c1, c2, n, c3k, e, attn, g, shortcut, dynamicConvBottleneck);
  }
}

/**
 * C3k2_GhostModule_DynamicConv(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): ultralytics'
 * C3k2 with {@link ghostModuleBottleneck} in place of every Bottleneck (direct, inside C3k, before a PSABlock);
 * cv1, cv2 and the C3k blocks' cv1..cv3 stay Conv. Same arguments and scale rule as C3k2. Keys as C3k2's, the
 * ghost modules' m.<i>.primary_conv.* and m.<i>.cheap_operation.*.
 */
export class C3k2_GhostModule_DynamicConv extends C3k2 {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true) {
    super(c1, c2, n, c3k, e, attn, g, shortcut, ghostModuleBottleneck);
  }
}
