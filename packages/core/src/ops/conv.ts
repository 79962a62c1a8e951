import * as tf from '@tensorflow/tfjs-core';
import { isShapeOnly } from '../flops.js';

/**
 * How a grouped convolution is computed. `dense`: groups == 1 (tf.conv2d). `depthwise`: groups == C_in
 * (tf.depthwiseConv2d with multiplier C_out/C_in). `split`: per-group conv2d then concat (few groups).
 * `grouped-sum`: depthwise with multiplier C_out/groups, then a sum over each group's inputs (many groups).
 */
export type ConvStrategy = 'dense' | 'depthwise' | 'split' | 'grouped-sum';

/** Geometry of a PyTorch Conv2d (symmetric zero padding). */
export interface ConvGeometry {
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
}

/** PyTorch's output size of a convolution along one axis. */
export function convOutSize(size: number, k: number, g: ConvGeometry): number {
  return Math.floor((size + 2 * g.padding - g.dilation * (k - 1) - 1) / g.stride) + 1;
}

/** The default strategy for a grouped convolution: measured on wasm (see packages/dwconv's README). */
export function pickConvStrategy(cin: number, groups: number): ConvStrategy {
  if (groups === 1) return 'dense';
  if (groups === cin) return 'depthwise';
  return groups <= 4 ? 'split' : 'grouped-sum';
}

/** Keeps every `s`-th row and column starting at 0 (NHWC), by reshape and slice (no stridedSlice). */
export function subsample(y: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return y;
  return tf.tidy(() => {
    const [b, h, w, c] = y.shape;
    const ho = Math.ceil(h / s);
    const wo = Math.ceil(w / s);
    const padded = ho * s === h && wo * s === w ? y : tf.pad(y, [[0, 0], [0, ho * s - h], [0, wo * s - w], [0, 0]]);
    const r = tf.reshape(padded, [b, ho, s, wo, s, c]);
    return tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [b, ho, 1, wo, 1, c]), [b, ho, wo, c]);
  });
}

/**
 * PyTorch-exact 2-D convolution in NHWC for any stride, padding, dilation and groups. `filter` is in the
 * internal layout of `strategy` (see {@link ConvStrategy}). tfjs rejects stride > 1 together with dilation
 * > 1; that case runs the dilated convolution at stride 1 and keeps every stride-th output.
 */
export function conv2dExact(x: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry, strategy: ConvStrategy): tf.Tensor4D {
  if (isShapeOnly()) {
    const [b, h, w] = x.shape;
    const k = filter.shape[0];
    const cout = strategy === 'depthwise' ? filter.shape[2] * filter.shape[3] : strategy === 'grouped-sum' ? g.groups * filter.shape[3] : filter.shape[3];
    return tf.zeros([b, convOutSize(h, k, g), convOutSize(w, filter.shape[1], g), cout]);
  }
  const both = g.stride > 1 && g.dilation > 1;
  const stride = both ? 1 : g.stride;
  const pad = g.padding;
  const d = g.dilation;
  let y: tf.Tensor4D;
  switch (strategy) {
    case 'dense':
      y = tf.conv2d(x, filter, stride, pad, 'NHWC', d);
      break;
    case 'depthwise':
      y = tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', d);
      break;
    case 'split': {
      const xs = tf.split(x, g.groups, 3) as tf.Tensor4D[];
      const ws = tf.split(filter, g.groups, 3) as tf.Tensor4D[];
      const ys = xs.map((xi, i) => tf.conv2d(xi, ws[i]!, stride, pad, 'NHWC', d));
      y = tf.concat(ys, 3) as tf.Tensor4D;
      for (const t of [...xs, ...ws, ...ys]) t.dispose();
      break;
    }
    case 'grouped-sum': {
      const [kh, kw, cin, opg] = filter.shape;
      void kh;
      void kw;
      const dw = tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', d);
      const [b, h, w] = dw.shape;
      const r = tf.reshape(dw, [b, h, w, g.groups, cin / g.groups, opg]);
      y = tf.reshape(tf.sum(r, 4), [b, h, w, g.groups * opg]) as tf.Tensor4D;
      dw.dispose();
      r.dispose();
      break;
    }
  }
  if (both) {
    const s = subsample(y, g.stride);
    y.dispose();
    return s;
  }
  return y;
}
