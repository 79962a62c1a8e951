import * as tf from '@tensorflow/tfjs-core';

/**
 * Straightforward references, written independently of the package's code paths (the conv references,
 * shared with core's engine tests, are in @plugconv/test-harness/tf-reference).
 */

/** F.pad(x, (p, p, p, p), mode='reflect') on NHWC by explicit index mapping (reflect about the edge rows). */
export function referenceReflectIndex(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

/** Reads a PyTorch-layout state tensor as float64 values. */
export function f64(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

/** ConvAWS2d's weight standardisation in float64 on raw values: (W - mean)/sqrt(unbiased var + 1e-5)*gamma + beta. */
export function referenceStandardize(w: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const [o, i, kh, kw] = w.shape;
  const n = i * kh * kw;
  const v = f64(w);
  const gm = f64(gamma);
  const bt = f64(beta);
  const out = new Float32Array(v.length);
  for (let c = 0; c < o; c++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += v[c * n + j]!;
    mean /= n;
    let ss = 0;
    for (let j = 0; j < n; j++) ss += (v[c * n + j]! - mean) ** 2;
    const std = Math.sqrt(ss / (n - 1) + 1e-5);
    for (let j = 0; j < n; j++) out[c * n + j] = ((v[c * n + j]! - mean) / std) * gm[c]! + bt[c]!;
  }
  return tf.tensor4d(out, [o, i, kh, kw]);
}
