import * as tf from '@tensorflow/tfjs-core';
import { convLayout, depthwiseLayoutFor, groupedSumLayoutFor, type Layout } from '../nn/layout.js';
import type { ConvStrategy } from './conv-types.js';

/**
 * The internal kernel shape and layout of a strategy: `dense`/`split` (k, k, I/g, O) as tf.conv2d,
 * `depthwise` (k, k, I, O/I) as tf.depthwiseConv2d, `grouped-sum` (k, k, I, O/g). Every layout keeps the
 * kernel rows and columns on axes 0 and 1 and the output channels on the last axis (split as (I, O/I) or
 * (g, I/g, O/g) with the input axis for `depthwise` and `grouped-sum`). Throws for a strategy that cannot
 * express the grouping.
 */
export function kernelLayout(
  cin: number,
  cout: number,
  k: number,
  groups: number,
  strategy: ConvStrategy,
): {
  /** The internal kernel shape. */
  shape: number[];
  /** How it maps to PyTorch's (O, I/g, k, k). */
  layout: Layout;
} {
  if (strategy === 'dense' && groups !== 1) throw new Error(`Conv2d: strategy 'dense' needs groups 1, got groups ${groups}`);
  if (strategy === 'depthwise' && groups !== cin) throw new Error(`Conv2d: strategy 'depthwise' needs groups == in_channels (${cin}), got groups ${groups}`);
  switch (strategy) {
    case 'dense':
    case 'split':
      return { shape: [k, k, cin / groups, cout], layout: convLayout };
    case 'depthwise':
      return { shape: [k, k, cin, cout / cin], layout: depthwiseLayoutFor(cin) };
    case 'grouped-sum':
      return { shape: [k, k, cin, cout / groups], layout: groupedSumLayoutFor(cin, cout, groups) };
  }
}

/**
 * A kernel in the internal layout of `strategy` with output channel o multiplied by `scale[o]` (a new tensor):
 * what folding a BatchNorm into the conv needs. `dense`/`split` broadcast over the last axis; `depthwise`
 * (k, k, C, m) reads output c*m + j at [.., c, j]; `grouped-sum` (k, k, I, O/g) reads output gi*(O/g) + j at
 * every input of group gi.
 */
export function scaleKernelOutputs(filter: tf.Tensor4D, scale: tf.Tensor1D, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, last] = filter.shape;
    switch (strategy) {
      case 'dense':
      case 'split':
        return tf.mul(filter, scale);
      case 'depthwise':
        return tf.mul(filter, tf.reshape(scale, [1, 1, cin, last]));
      case 'grouped-sum':
        return tf.reshape(tf.mul(tf.reshape(filter, [kh, kw, groups, cin / groups, last]), tf.reshape(scale, [groups, 1, last])), filter.shape);
    }
  });
}
