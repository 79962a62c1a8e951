import * as tf from '@tensorflow/tfjs-core';
import type { BatchNorm2d, Conv2d } from '@plugconv/core';

/** A kernel and bias in PyTorch layout: weight (O, I/g, k, k), bias (O). */
export interface KernelBias {
  /** The kernel, PyTorch layout (O, I/g, k, k). */
  weight: tf.Tensor4D;
  /** The bias (O). */
  bias: tf.Tensor1D;
}

/** A conv's kernel in PyTorch layout (O, I/g, k, k). The caller owns the tensor. */
export function torchKernel(conv: Conv2d): tf.Tensor4D {
  const sd = conv.stateDict();
  const weight = sd.get('weight') as tf.Tensor4D;
  sd.get('bias')?.dispose();
  return weight;
}

/**
 * The reference code's `_fuse_bn_tensor` for a conv followed by an eval-mode BatchNorm: kernel * gamma/std and
 * beta - mean * gamma/std (the conv must have no bias, as in the reference code).
 */
export function foldConvBn(conv: Conv2d, bn: BatchNorm2d): KernelBias {
  if (conv.bias) throw new Error(`foldConvBn: the conv (${conv.cin}->${conv.cout}) before a BatchNorm must have no bias`);
  const { scale, shift } = bn.foldedScaleShift();
  const w = torchKernel(conv);
  const weight = tf.tidy(() => tf.mul(w, tf.reshape(scale, [-1, 1, 1, 1])) as tf.Tensor4D);
  w.dispose();
  scale.dispose();
  return { weight, bias: shift };
}

/**
 * The reference code's `_fuse_bn_tensor` for an identity branch (`nn.Identity` conv) of a depthwise conv with `channels`
 * channels and a k x k kernel, followed by a BatchNorm (or nothing: `bn` null = nn.Identity): the identity
 * is a centre tap of 1 per channel, scaled like a conv's kernel. The reference code pads a 1x1 tap to 3x3; placing it
 * at the centre (k//2, k//2) is the same for k = 3 and stays right for any odd k.
 */
export function foldIdentityBn(channels: number, k: number, bn: BatchNorm2d | null): KernelBias {
  return tf.tidy(() => {
    const centre = Math.floor(k / 2);
    const tap = tf.buffer([1, 1, k, k]);
    tap.set(1, 0, 0, centre, centre);
    const ones = tf.tile(tap.toTensor(), [channels, 1, 1, 1]) as tf.Tensor4D;
    if (!bn) return { weight: ones, bias: tf.zeros([channels]) as tf.Tensor1D };
    const { scale, shift } = bn.foldedScaleShift();
    return { weight: tf.mul(ones, tf.reshape(scale, [-1, 1, 1, 1])) as tf.Tensor4D, bias: shift };
  });
}

/** Sums kernel/bias pairs of equal shapes (the re-parameterised branches) and frees the parts. */
export function sumKernelBias(parts: KernelBias[]): KernelBias {
  const out = tf.tidy(() => ({
    weight: tf.addN(parts.map((p) => p.weight)) as tf.Tensor4D,
    bias: tf.addN(parts.map((p) => p.bias)) as tf.Tensor1D,
  }));
  for (const p of parts) {
    p.weight.dispose();
    p.bias.dispose();
  }
  return out;
}
