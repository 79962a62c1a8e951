import * as tf from '@tensorflow/tfjs-core';
import type { ConvStrategy } from '@plugconv/core';

/**
 * How a stride-1, unpadded convolution with dilation > 1 is computed:
 * - `native`: tfjs's dilated conv2d / depthwiseConv2d (fast, but tfjs 4.22 has no gradient for dilation > 1);
 * - `space-to-batch`: the d x d phases of the input as a batch (spaceToBatchND), an undilated conv, and the
 *   outputs interleaved back (batchToSpaceND): exact, and differentiable on every backend;
 * - `auto`: space-to-batch while a gradient tape is recording, native otherwise.
 */
export type DilationMode = 'auto' | 'native' | 'space-to-batch';

/** Stride-1 'valid' convolution, undilated or natively dilated, in the internal layout of `strategy`. */
function nativeValid(x: tf.Tensor4D, filter: tf.Tensor4D, dilation: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  switch (strategy) {
    case 'dense':
      return tf.conv2d(x, filter, 1, 'valid', 'NHWC', dilation);
    case 'depthwise':
      return tf.depthwiseConv2d(x, filter, 1, 'valid', 'NHWC', dilation);
    case 'split': {
      const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
      const ws = tf.split(filter, groups, 3) as tf.Tensor4D[];
      return tf.concat(
        xs.map((xi, i) => tf.conv2d(xi, ws[i]!, 1, 'valid', 'NHWC', dilation)),
        3,
      ) as tf.Tensor4D;
    }
    case 'grouped-sum': {
      // depthwise with multiplier C_out/groups, then the sum over each group's inputs
      const [, , cin, opg] = filter.shape;
      const dw = tf.depthwiseConv2d(x, filter, 1, 'valid', 'NHWC', dilation);
      const [b, h, w] = dw.shape;
      return tf.reshape(tf.sum(tf.reshape(dw, [b, h, w, groups, cin / groups, opg]), 4), [b, h, w, groups * opg]) as tf.Tensor4D;
    }
  }
}

/** The dilated conv as d x d undilated convs on the input's phases, batched (see {@link DilationMode}). */
function spaceToBatchValid(x: tf.Tensor4D, filter: tf.Tensor4D, d: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  const [, h, w] = x.shape;
  const [kh, kw] = filter.shape;
  const ho = h - d * (kh - 1);
  const wo = w - d * (kw - 1);
  const hq = Math.ceil(h / d) * d;
  const wq = Math.ceil(w / d) * d;
  // phase (ry, rx) = x[ry::d, rx::d]; its valid undilated conv gives outputs ry, ry + d, ...
  const phases = tf.spaceToBatchND(x, [d, d], [
    [0, hq - h],
    [0, wq - w],
  ]) as tf.Tensor4D;
  const y = nativeValid(phases, filter, 1, groups, strategy);
  // interleaved size hq - d*(kh-1) >= ho; the extra outputs read the zero rows and are cropped
  return tf.batchToSpaceND(y, [d, d], [
    [0, hq - d * (kh - 1) - ho],
    [0, wq - d * (kw - 1) - wo],
  ]) as tf.Tensor4D;
}

/**
 * Stride-1 convolution without padding ('valid') for any groups and dilation and a possibly non-square kernel,
 * in the internal layout of `strategy` (as core's conv2dExact). Two tfjs 4.22 limits shape it: a numerically
 * padded conv sizes its output with the kernel HEIGHT on both axes (so a non-square kernel, as the polyphase
 * sub-kernels are, needs 'valid'), and conv2d/depthwiseConv2d have no gradient for dilation > 1 (so training
 * goes through the space-to-batch form; see {@link DilationMode}).
 */
export function validConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, dilation: number, groups: number, strategy: ConvStrategy, mode: DilationMode = 'auto'): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  if (x.shape[1] < dilation * (kh - 1) + 1 || x.shape[2] < dilation * (kw - 1) + 1) {
    throw new Error(`a ${kh}x${kw} kernel at dilation ${dilation} does not fit a ${x.shape[1]}x${x.shape[2]} input`);
  }
  const s2b = dilation > 1 && (mode === 'space-to-batch' || (mode === 'auto' && tf.engine().isTapeOn()));
  return tf.tidy(() => (s2b ? spaceToBatchValid(x, filter, dilation, groups, strategy) : nativeValid(x, filter, dilation, groups, strategy)));
}
