import { autopad, BatchNorm2d, ConvNormAct, resolveAct, type Module } from '@plugconv/core';
import { DynamicConv2d } from './dynamic-conv2d.js';

/**
 * DynamicConv(c1, c2, k=1, s=1, p, g=1, d=1, act=true, experts=4): a drop-in for ultralytics' Conv whose
 * convolution is a {@link DynamicConv2d} (padding autopad(k, p, d), as Conv) -> BatchNorm2d -> SiLU.
 * State keys conv.routing.*, conv.cond_conv.weight, bn.*; `fuse()` (core's ConvNormAct) folds the BN into the
 * experts and an output bias `conv.bias`.
 */
export class DynamicConv extends ConvNormAct<DynamicConv2d> {
  /** The activation (ultralytics' default SiLU, the module given, or Identity). */
  declare readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true, experts = 4) {
    super(new DynamicConv2d(c1, c2, k, s, autopad(k, p, d), d, g, false, experts), new BatchNorm2d(c2), resolveAct(act));
  }
}
