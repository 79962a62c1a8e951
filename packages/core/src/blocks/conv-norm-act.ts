import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.js';
import { releaseIntermediate } from '../ops/release.js';
import type { BatchNorm2d } from '../nn/batchnorm.js';
import { fuseConvBn, type BatchNormFoldable } from '../nn/fold-batchnorm.js';
import type { Fusable } from './fusable.js';

/** The child names of a {@link ConvNormAct} (its state-key prefixes). */
export interface ConvNormActNames {
  /** The convolution's name (ultralytics: `conv`; torchvision's Sequential: `0`). */
  conv: string;
  /** The BatchNorm's name (`bn`; `1`). */
  bn: string;
  /** The activation's name (`act`; `2`). */
  act: string;
}

/** ultralytics' child names: `conv`, `bn`, `act`. */
export const ULTRALYTICS_CONV_NAMES: ConvNormActNames = { conv: 'conv', bn: 'bn', act: 'act' };

/**
 * conv -> BatchNorm -> activation, the shape of ultralytics' Conv, torchvision's Conv2dNormActivation and every
 * drop-in for Conv (DynamicConv, DSConv2D, ...), with the one `fuse()`: the BN folds into the conv (the conv
 * gains a bias and is frozen, the BN child goes). The conv is any layer a BatchNorm folds into
 * ({@link BatchNormFoldable}); the activation is optional (`null`: none, as torchvision's projection).
 */
export class ConvNormAct<C extends Module & BatchNormFoldable = Module & BatchNormFoldable> extends Module implements Fusable {
  /** The convolution (no bias until `fuse()` gives it one). */
  conv: C;
  /** The BatchNorm after the conv; null once `fuse()` has folded it into the conv. */
  bn: BatchNorm2d | null;
  /** The activation, or null for none. */
  readonly act: Module | null;
  private readonly bnName: string;

  /** Registers `conv`, `bn` and `act` (when given) under `names`, in that order. */
  constructor(conv: C, bn: BatchNorm2d, act: Module | null, names: ConvNormActNames = ULTRALYTICS_CONV_NAMES) {
    super();
    this.conv = this.addModule(names.conv, conv);
    this.bn = this.addModule(names.bn, bn);
    this.act = act ? this.addModule(names.act, act) : null;
    this.bnName = names.bn;
  }

  /** conv, then BN (unless fused), then the activation; NHWC in and out. */
  forward(x: tf.Tensor): tf.Tensor {
    let y = this.conv.forward(x) as tf.Tensor;
    if (this.bn) {
      const normed = this.bn.forward(y);
      releaseIntermediate(y, normed, x);
      y = normed;
    }
    if (!this.act) return y;
    const out = this.act.forward(y);
    releaseIntermediate(y, out, x);
    return out;
  }

  /** Folds the BatchNorm into the conv, as ultralytics' fuse_conv_and_bn (eval output unchanged). */
  fuse(): void {
    if (!this.bn) return;
    fuseConvBn(this.conv, this.bn);
    this.bn = null;
    this.setModule(this.bnName, null);
  }
}
