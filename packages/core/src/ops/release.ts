import * as tf from '@tensorflow/tfjs-core';

/**
 * Frees `intermediate` now, once `result` (computed from it) exists, unless gradients are being recorded (the
 * tape keeps what backprop needs), or `intermediate` is `result` itself or `input`, the caller's own input (a
 * layer that passes its input through). Inside a forward every intermediate
 * otherwise lives until the enclosing tf.tidy ends: in a YOLO row that is each Conv's pre-activation map and its
 * sigmoid, which set the peak tensor memory of the early high-resolution rows.
 */
export function releaseIntermediate(intermediate: tf.Tensor, result: tf.Tensor, input?: tf.Tensor): void {
  if (intermediate !== result && intermediate !== input && !tf.engine().isTapeOn()) intermediate.dispose();
}
