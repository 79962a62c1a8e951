import { C2fBase } from '@plugconv/core';
import { RepGhostBottleneck } from './repghost-bottleneck.js';

/**
 * C2f_RepGhost(c1, c2, n=1, shortcut=False, g=1, e=0.5): ultralytics' C2f (cv1 Conv(c1, 2c, 1), n inner
 * blocks chained on the second half, every output concatenated, cv2 Conv((2+n)c, c2, 1), c = int(c2*e)) whose
 * inner blocks are RepGhostBottleneck(c, c, c) honouring `shortcut` (stride 1, no SE). `g` is accepted for
 * C2f's signature and unused, as in the reference code. Keys cv1.*, cv2.*, m.i.ghost{1,2}.*.
 */
export class C2f_RepGhost extends C2fBase {
  constructor(c1: number, c2: number, n = 1, shortcut = false, g = 1, e = 0.5) {
    super(c1, c2, n, e, (c) => new RepGhostBottleneck(c, c, c, 3, 1, 0, shortcut));
    void g;
  }
}
