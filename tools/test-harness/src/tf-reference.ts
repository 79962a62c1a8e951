import * as tf from '@tensorflow/tfjs-core';
import { values } from './reference.js';

// References for convolutions in tfjs terms (NHWC input, PyTorch-layout OIHW kernels), written independently of
// plugconv's conv engine: explicit zero padding, per-group tf.conv2d at stride 1 with 'valid' padding and square
// kernels, a manual subsample in JS, and gradients by direct loops.

/** Deterministic values in [-a, a) (reference.ts's LCG, so tests do not depend on tfjs's random streams). */
export function seeded(shape: number[], seed: number, a = 1): tf.Tensor {
  return tf.tensor(values(shape.reduce((x, y) => x * y, 1), (seed >>> 0) || 1, -a, a), shape);
}

/** Max |a - b|. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Keeps rows and columns 0, s, 2s, ... of an NHWC tensor, by index arithmetic on the raw values. */
export function manualSubsample(y: tf.Tensor4D, s: number): tf.Tensor4D {
  const [b, h, w, c] = y.shape;
  const ho = Math.ceil(h / s);
  const wo = Math.ceil(w / s);
  const src = y.dataSync();
  const out = new Float32Array(b * ho * wo * c);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let k = 0; k < c; k++) out[((n * ho + i) * wo + j) * c + k] = src[((n * h + i * s) * w + j * s) * c + k]!;
  return tf.tensor4d(out, [b, ho, wo, c]);
}

/**
 * PyTorch's F.conv2d(x, weight, None, stride, padding, dilation, groups) for NHWC x and a PyTorch-layout weight
 * (O, I/g, k, k): zero pad, each group's tf.conv2d at stride 1 ('valid'), concat, manual subsample.
 */
export function referenceConv2d(x: tf.Tensor4D, weightOIHW: tf.Tensor4D, stride: number, padding: number, dilation: number, groups: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [o, ipg] = weightOIHW.shape;
    const opg = o / groups;
    const xp = tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]]) as tf.Tensor4D;
    const ys: tf.Tensor4D[] = [];
    for (let gi = 0; gi < groups; gi++) {
      const xg = tf.slice(xp, [0, 0, 0, gi * ipg], [-1, -1, -1, ipg]) as tf.Tensor4D;
      const wg = tf.transpose(tf.slice(weightOIHW, [gi * opg, 0, 0, 0], [opg, -1, -1, -1]), [2, 3, 1, 0]) as tf.Tensor4D;
      ys.push(tf.conv2d(xg, wg, 1, 'valid', 'NHWC', dilation));
    }
    return manualSubsample(tf.concat(ys, 3) as tf.Tensor4D, stride);
  });
}

/**
 * Gradients of L = sum(conv(x, W) * r) by direct loops (PyTorch conv semantics, NHWC x, OIHW W):
 * dL/dx[b, i, j, c] and dL/dW[o, c', ty, tx] accumulated over every output that reads them.
 */
export function referenceConvGrads(x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor4D, stride: number, padding: number, dilation: number, groups: number): { dx: tf.Tensor4D; dw: tf.Tensor4D } {
  const [b, h, wd, cin] = x.shape;
  const [o, ipg, kh, kw] = w.shape;
  const [, ho, wo] = r.shape;
  const opg = o / groups;
  const xv = x.dataSync();
  const wv = w.dataSync();
  const rv = r.dataSync();
  const dx = new Float64Array(xv.length);
  const dw = new Float64Array(wv.length);
  for (let n = 0; n < b; n++)
    for (let oh = 0; oh < ho; oh++)
      for (let ow = 0; ow < wo; ow++)
        for (let co = 0; co < o; co++) {
          const gr = rv[((n * ho + oh) * wo + ow) * o + co]!;
          const gi = Math.floor(co / opg);
          for (let ty = 0; ty < kh; ty++) {
            const i = stride * oh + dilation * ty - padding;
            if (i < 0 || i >= h) continue;
            for (let tx = 0; tx < kw; tx++) {
              const j = stride * ow + dilation * tx - padding;
              if (j < 0 || j >= wd) continue;
              for (let c = 0; c < ipg; c++) {
                const xi = ((n * h + i) * wd + j) * cin + gi * ipg + c;
                const wi = ((co * ipg + c) * kh + ty) * kw + tx;
                dx[xi] += gr * wv[wi]!;
                dw[wi] += gr * xv[xi]!;
              }
            }
          }
        }
  return { dx: tf.tensor4d(Float32Array.from(dx), x.shape), dw: tf.tensor4d(Float32Array.from(dw), w.shape) };
}
