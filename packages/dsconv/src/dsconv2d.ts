import { autopad, Conv, type Module } from '@plugconv/core';
import { DEFAULT_BITS, DEFAULT_BLOCK, DSConv } from './dsconv.js';
import { checkQuantization } from './quantize.js';

/**
 * DSConv2D(c1, c2, k=1, s=1, p=None, g=1, d=1, act=True, bits=8, block=32): ultralytics' Conv with its conv
 * replaced by a {@link DSConv} (distribution-shifting convolution), then BatchNorm and SiLU. State keys are
 * Conv's: `conv.weight` (the float shadow kernel), `bn.*`. A drop-in for `Conv` in a YAML.
 */
export class DSConv2D extends Conv {
  declare conv: DSConv;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true, bits = DEFAULT_BITS, block = DEFAULT_BLOCK) {
    checkQuantization(`DSConv2D(${c1}, ${c2}, k=${k})`, bits, block);
    super(c1, c2, k, s, p, g, d, act);
    // Conv built a plain Conv2d under 'conv'; swap in the quantising one (same key, same place)
    const plain = this.conv;
    this.conv = new DSConv(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d, bits, block, strategy: plain.strategy });
    this.setModule('conv', this.conv);
    plain.dispose();
  }

  /** Bit width of the integer kernel (0: plain convolution). */
  get bits(): number {
    return this.conv.bits;
  }

  /** Input channels per block. */
  get block(): number {
    return this.conv.block;
  }

  /**
   * Folds for inference: the conv weight becomes the quantised kernel alpha * I (then `bits` is 0, a plain
   * convolution), and the BatchNorm is folded into it as Conv does. Eval outputs are unchanged.
   */
  override fuse(): void {
    if (!this.bn) return;
    if (this.conv.bits > 0) {
      const kernel = this.conv.effectiveKernel();
      this.conv.weight.assign(kernel);
      kernel.dispose();
      this.conv.setQuantization(0);
    }
    super.fuse();
  }
}
