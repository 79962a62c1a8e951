import * as tf from '@tensorflow/tfjs-core';

/** PyTorch's default init for Conv2d/Linear weights: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function kaimingUniform(shape: number[], fanIn: number): tf.Tensor {
  const bound = 1 / Math.sqrt(Math.max(fanIn, 1));
  return tf.randomUniform(shape, -bound, bound);
}
