import { C3k2, type BottleneckMaker } from '@plugconv/core';
import { RepGhostBottleneck } from './repghost-bottleneck.js';

/**
 * C2f_RepGhost's bottleneck at every site of a C3k2-family block: {@link RepGhostBottleneck}(c, c, c) at stride
 * 1, no SE, honouring the site's `shortcut` (groups, kernel and expansion are not used: the hidden width is c).
 */
export const repGhostBottleneck: BottleneckMaker = (c, site) => new RepGhostBottleneck(c, c, c, 3, 1, 0, site.shortcut);

/**
 * C3k2_RepGhost(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): ultralytics' C3k2 with
 * {@link repGhostBottleneck} in place of every Bottleneck (the direct ones, those inside its C3k blocks, the one
 * before a PSABlock); cv1, cv2 and the C3k blocks' cv1..cv3 stay Conv. Same arguments and scale rule as C3k2.
 * `switchToDeploy()` of each RepGhostModule (core's `reparameterize()`/`deploy()` on a model) folds their BN
 * branches. Keys as C3k2's, the bottlenecks' m.<i>.ghost{1,2}.* (direct) or m.<i>.m.<j>.ghost{1,2}.* (inside C3k).
 */
export class C3k2_RepGhost extends C3k2 {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true) {
    super(c1, c2, n, c3k, e, attn, g, shortcut, repGhostBottleneck);
  }
}
