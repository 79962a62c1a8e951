import * as tf from '@tensorflow/tfjs-core';

/**
 * The straight-through estimator: returns `forward(x)` but passes the incoming gradient to `x` unchanged, as
 * if `forward` were the identity (the DSConv authors' quantiser backward). tfjs has no stop-gradient op; this is
 * built with `tf.customGrad`, so the ops inside `forward` are not recorded for backprop.
 */
export function straightThrough<T extends tf.Tensor>(x: T, forward: (x: T) => T): T {
  const f = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => {
    const value = forward(input as T);
    if (value.shape.length !== x.shape.length || value.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`straightThrough: forward changed the shape [${x.shape}] to [${value.shape}]`);
    }
    return { value, gradFunc: (dy: T) => tf.clone(dy) };
  });
  return f(x) as T;
}
