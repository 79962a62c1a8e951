import type * as tf from '@tensorflow/tfjs-core';
import { autopad, BatchNorm2d, Module, resolveAct, type Fusable } from '@plugconv/core';
import { DynamicConv2d } from './dynamic-conv2d.js';

/**
 * DynamicConv(c1, c2, k=1, s=1, p, g=1, d=1, act=true, experts=4): a drop-in for ultralytics' Conv whose
 * convolution is a {@link DynamicConv2d} (padding autopad(k, p, d), as Conv) -> BatchNorm2d -> SiLU.
 * State keys conv.routing.*, conv.cond_conv.weight, bn.*.
 */
export class DynamicConv extends Module implements Fusable {
  /** The dynamic convolution (keys `conv.routing.*`, `conv.cond_conv.weight`). */
  readonly conv: DynamicConv2d;
  /** BatchNorm (keys `bn.*`); null once `fuse()` folded it into the experts. */
  bn: BatchNorm2d | null;
  /** The activation (ultralytics' default SiLU, the module given, or Identity). */
  readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true, experts = 4) {
    super();
    this.conv = this.addModule('conv', new DynamicConv2d(c1, c2, k, s, autopad(k, p, d), d, g, false, experts));
    this.bn = this.addModule('bn', new BatchNorm2d(c2));
    this.act = this.addModule('act', resolveAct(act));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = this.conv.forward(x);
    return this.act.forward(this.bn ? this.bn.forward(y) : y);
  }

  /** Folds the BatchNorm into the experts (per-channel scale) and an output bias `conv.bias`; eval output unchanged. */
  fuse(): void {
    if (!this.bn) return;
    this.conv.foldBatchNorm(this.bn);
    this.conv.requiresGrad(false);
    this.bn.dispose();
    this.bn = null;
    this.setModule('bn', null);
  }
}
