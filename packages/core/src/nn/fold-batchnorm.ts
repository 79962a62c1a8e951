import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from './batchnorm.js';
import { Identity, type Module, type Sequential } from './module.js';

/**
 * A layer that a following BatchNorm can fold into: its outputs can be scaled per channel and given a bias
 * (Conv2d in any internal layout, DynamicConv2d's experts, ...). The layer owns its weight layout; folding
 * needs nothing else.
 */
export interface BatchNormFoldable {
  /** The layer's type name, for messages. */
  readonly typeName: string;
  /** Input channels. */
  readonly cin: number;
  /** Output channels (the BatchNorm's channels). */
  readonly cout: number;
  /** Multiplies output channel o of the kernel (and of any bias) by `scale[o]`, in place. */
  scaleOutputs(scale: tf.Tensor1D): void;
  /** Adds `shift` to the output bias, creating the bias first when the layer has none. */
  addOutputBias(shift: tf.Tensor1D): void;
}

/** True when `m` implements {@link BatchNormFoldable}. */
export function isBatchNormFoldable(m: unknown): m is BatchNormFoldable {
  const f = m as BatchNormFoldable | null;
  return typeof f?.scaleOutputs === 'function' && typeof f.addOutputBias === 'function';
}

/**
 * Folds an eval-mode BatchNorm into the layer before it, in place: outputs scaled by gamma/sqrt(var + eps),
 * bias * scale + beta - mean * scale (the layer gains a bias). The layer and the BN stay as they are otherwise.
 */
export function foldBatchNorm(conv: BatchNormFoldable, bn: BatchNorm2d): void {
  if (bn.channels !== conv.cout) throw new Error(`${conv.typeName}(${conv.cin}->${conv.cout}): cannot fold a BatchNorm2d of ${bn.channels} channels`);
  const { scale, shift } = bn.foldedScaleShift();
  conv.scaleOutputs(scale);
  conv.addOutputBias(shift);
  scale.dispose();
  shift.dispose();
}

/**
 * ultralytics' fuse_conv_and_bn, in place: folds `bn` into `conv` ({@link foldBatchNorm}), freezes the conv
 * (the fused conv has no gradient, as ultralytics') and disposes the BN. The caller drops the BN from its parent.
 */
export function fuseConvBn(conv: BatchNormFoldable & Module<any, any>, bn: BatchNorm2d): void {
  foldBatchNorm(conv, bn);
  conv.requiresGrad(false);
  bn.dispose();
}

/**
 * Fuses the BatchNorm at `seq[bnIndex]` into the layer at `seq[bnIndex - 1]` ({@link fuseConvBn}) and puts an
 * Identity in the BN's slot, so the remaining state keys keep their PyTorch indices. A no-op when the slot holds
 * no BatchNorm.
 */
export function fuseSequentialBn(seq: Sequential, bnIndex: number): void {
  const conv = seq.layers[bnIndex - 1];
  const bn = seq.layers[bnIndex];
  if (!(bn instanceof BatchNorm2d)) return;
  if (!isBatchNormFoldable(conv)) throw new Error(`fuseSequentialBn: layer ${bnIndex - 1} before the BatchNorm is not a conv a BatchNorm folds into`);
  fuseConvBn(conv as BatchNormFoldable & Module<any, any>, bn);
  seq.replace(bnIndex, new Identity());
}
