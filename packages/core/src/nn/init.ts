import * as tf from '@tensorflow/tfjs-core';

let skipRandom = 0;

/**
 * Builds with every random initial value replaced by zeros: for a model whose every weight is loaded right
 * after (a checkpoint, a state dict loaded strictly, where a missing key is an error), the random draw is wasted
 * start-up time (about 60 ms for YOLOv8n's 3.2M parameters on wasm, per process or worker). The zeros are
 * written by the backend (`tf.fill`), not copied from a JavaScript array of zeros as `tf.zeros` does: on wasm
 * that is 12.7 MB less to allocate, page in and copy for YOLOv8n.
 */
export function withoutRandomInit<T>(build: () => T): T {
  skipRandom++;
  try {
    return build();
  } finally {
    skipRandom--;
  }
}

/** PyTorch's default init for Conv2d/Linear weights: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function kaimingUniform(shape: number[], fanIn: number): tf.Tensor {
  if (skipRandom) return tf.fill(shape, 0, 'float32');
  const bound = 1 / Math.sqrt(Math.max(fanIn, 1));
  return tf.randomUniform(shape, -bound, bound);
}
