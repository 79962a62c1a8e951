import { Module, Sequential } from '../nn/module.js';
import { Bottleneck, C2fBase, C3 } from './csp.js';
import { PSABlock } from './attention.js';

/** Where a C3k2-family bottleneck sits and how ultralytics builds the plain one there. */
export interface BottleneckSite {
  /** Whether the residual is requested (added when the block's input and output widths agree). */
  shortcut: boolean;
  /** Groups of the second conv. */
  g: number;
  /** Kernel size of both convs: 3 in C3k2 itself, C3k's `k` inside a C3k. */
  k: number;
  /** Expansion of the hidden width: 0.5 in C3k2 itself (and before a PSABlock), 1.0 inside a C3k. */
  e: number;
  /** `c3k2` for C3k2's own bottlenecks (direct, or before a PSABlock), `c3k` for those inside its C3k blocks. */
  site: 'c3k2' | 'c3k';
}

/**
 * Makes the bottleneck of width c at a site of a C3k2-family block. C3k2 uses ultralytics' Bottleneck(c, c,
 * shortcut, g, (k, k), e); a variant (`C3k2_<X>`) passes its own maker and keeps everything else.
 */
export type BottleneckMaker = (c: number, site: BottleneckSite) => Module;

/** ultralytics' Bottleneck at a site: Bottleneck(c, c, shortcut, g, (k, k), e). */
export const plainBottleneck: BottleneckMaker = (c, s) => new Bottleneck(c, c, s.shortcut, s.g, [s.k, s.k], s.e);

/**
 * ultralytics' C3k(c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3): C3 whose n bottlenecks are Bottleneck(c_, c_,
 * shortcut, g, (k, k), e=1.0), c_ = int(c2 * e). Keys cv1, cv2, cv3, m.0.…
 */
export class C3k extends C3 {
  constructor(c1: number, c2: number, n = 1, shortcut = true, g = 1, e = 0.5, k = 3, bottleneck: BottleneckMaker = plainBottleneck) {
    super(c1, c2, n, shortcut, g, e, (c) => bottleneck(c, { shortcut, g, k, e: 1.0, site: 'c3k' }));
  }
}

/**
 * ultralytics' C3k2(c1, c2, n=1, c3k=False, e=0.5, attn=False, g=1, shortcut=True): C2f whose m[i] is
 * Sequential(Bottleneck(c, c, shortcut, g), PSABlock(c, 0.5, max(c // 64, 1))) when `attn`, else C3k(c, c, 2,
 * shortcut, g) when `c3k`, else Bottleneck(c, c, shortcut, g) (hidden width c = int(c2 * e); the bottleneck's
 * own expansion is 0.5). `bottleneck` replaces every one of those bottlenecks (C3k2 variants).
 */
export class C3k2 extends C2fBase {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, attn = false, g = 1, shortcut = true, bottleneck: BottleneckMaker = plainBottleneck) {
    const own: BottleneckSite = { shortcut, g, k: 3, e: 0.5, site: 'c3k2' };
    super(c1, c2, n, e, (c) => {
      if (attn) return new Sequential(bottleneck(c, own), new PSABlock(c, 0.5, Math.max(Math.trunc(c / 64), 1)));
      if (c3k) return new C3k(c, c, 2, shortcut, g, 0.5, 3, bottleneck);
      return bottleneck(c, own);
    });
  }
}
