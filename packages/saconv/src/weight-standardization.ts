import * as tf from '@tensorflow/tfjs-core';

/** The epsilon added to the variance in ConvAWS2d's weight standardisation. */
export const WS_EPS = 1e-5;

/**
 * Per-output-channel mean and standard deviation of a PyTorch-layout kernel (O, I/g, kh, kw), as ConvAWS2d:
 * std = sqrt(UNBIASED variance + 1e-5) over the I/g*kh*kw weights of each output channel. Shapes (O, 1, 1, 1).
 */
export function weightMoments(weight: tf.Tensor4D): {
  /** Per output channel mean, (O, 1, 1, 1). */
  mean: tf.Tensor4D;
  /** Per output channel sqrt(unbiased variance + 1e-5), (O, 1, 1, 1). */
  std: tf.Tensor4D;
} {
  return tf.tidy(() => {
    const [, i, kh, kw] = weight.shape;
    const n = i * kh * kw;
    const mean = tf.mean(weight, [1, 2, 3], true) as tf.Tensor4D;
    const centred = tf.sub(weight, mean);
    const variance = tf.div(tf.sum(tf.square(centred), [1, 2, 3], true), n - 1);
    const std = tf.sqrt(tf.add(variance, WS_EPS)) as tf.Tensor4D;
    return { mean, std };
  });
}

/**
 * ConvAWS2d's `_get_weight`: (W - mean) / std * gamma + beta per output channel, all in PyTorch layout;
 * gamma and beta are (O, 1, 1, 1). Differentiable in W (the moments are recomputed, not frozen).
 */
export function standardizeWeight(weight: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, std } = weightMoments(weight);
    return tf.add(tf.mul(gamma, tf.div(tf.sub(weight, mean), std)), beta) as tf.Tensor4D;
  });
}
