import type * as tf from '@tensorflow/tfjs-core';
import { checkIntArgs, Conv, Module } from '@plugconv/core';

/**
 * Depthwise-separable convolution with dilation, a drop-in for ultralytics' `Conv` (same arguments, ends in
 * BN + SiLU): `depthwise` Conv(c1, c1, k, s, g=c1, d, act=false) -> `pointwise` Conv(c1, c2, 1, act).
 * Padding is autopad(k, None, d) = d*(k-1)/2, so stride 1 keeps the map size at any dilation (the blog code's
 * k//2 shrinks it) and the blog code's second activation after `pointwise` is dropped. Stride 2 with dilation 2
 * works (core's Conv2d computes it exactly although tfjs' conv kernels reject the combination).
 *
 * State keys: `depthwise.conv.weight` (c1, 1, k, k), `depthwise.bn.*`, `pointwise.conv.weight` (c2, c1, 1, 1),
 * `pointwise.bn.*`; after `fuse()` each conv gains a `bias` and the `bn`s disappear.
 */
export class DWSConv extends Module {
  /** Per-channel k x k convolution (groups = c1), BN, no activation. */
  readonly depthwise: Conv;
  /** 1 x 1 convolution mixing channels, BN, activation. */
  readonly pointwise: Conv;

  /**
   * @param c1 input channels
   * @param c2 output channels
   * @param k depthwise kernel size (default 3)
   * @param s depthwise stride (default 1)
   * @param d depthwise dilation (default 1)
   * @param act activation after `pointwise`: true = the model's default (SiLU), false = none, or a module
   */
  constructor(c1: number, c2: number, k = 3, s = 1, d = 1, act: boolean | Module = true) {
    super();
    checkIntArgs('DWSConv', { c1, c2, k, s, d }, 1, { quote: true });
    this.depthwise = this.addModule('depthwise', new Conv(c1, c1, k, s, null, c1, d, false));
    this.pointwise = this.addModule('pointwise', new Conv(c1, c2, 1, 1, null, 1, 1, act));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.pointwise.forward(this.depthwise.forward(x));
  }
}
