import * as tf from '@tensorflow/tfjs-core';

/**
 * Frees `intermediate` now, once `result` (computed from it) exists, unless gradients are being recorded (the
 * tape keeps what backprop needs) or `result` is `intermediate` itself. Inside a forward every intermediate
 * otherwise lives until the enclosing tf.tidy ends: in a YOLO row that is each Conv's pre-activation map and its
 * sigmoid, which set the peak tensor memory of the early high-resolution rows.
 */
export function releaseIntermediate(intermediate: tf.Tensor, result: tf.Tensor): void {
  if (result !== intermediate && !tf.engine().isTapeOn()) intermediate.dispose();
}
