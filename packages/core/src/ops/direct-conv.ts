import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from './active-backend.js';
import { concatChannels, splitChannels } from './channels.js';
import type { ConvStrategy, DilationMode } from './conv-types.js';

/**
 * The convolutions tfjs computes directly: stride or dilation (not both), symmetric zero padding `pad`, a
 * kernel in the internal layout of `strategy` (possibly non-square). A dilated one runs as space-to-batch when
 * `mode` asks for it (`auto`: while a gradient tape records, as tfjs has no dilated-conv gradient).
 */
export function directConv(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number, dilation: number, groups: number, strategy: ConvStrategy, mode: DilationMode): tf.Tensor4D {
  const s2b = dilation > 1 && (mode === 'space-to-batch' || (mode === 'auto' && tf.engine().isTapeOn()));
  if (s2b) return spaceToBatchConv(x, filter, pad, dilation, groups, strategy);
  return tf.tidy(() => {
    const [xin, p] = tfjsPadding(x, filter, pad);
    return strategyCall(xin, filter, stride, p, dilation, groups, strategy);
  });
}

/**
 * {@link directConv} of a dense or depthwise kernel with the bias added by tfjs' fused convolution, or null when
 * that does not apply (other strategies; a dilated convolution that runs as space-to-batch).
 */
export function fusedBiasConv(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number, dilation: number, strategy: ConvStrategy, mode: DilationMode, bias: tf.Tensor1D): tf.Tensor4D | null {
  if (strategy !== 'dense' && strategy !== 'depthwise') return null;
  if (dilation > 1 && (mode === 'space-to-batch' || (mode === 'auto' && tf.engine().isTapeOn()))) return null;
  return tf.tidy(() => {
    const [xin, p] = tfjsPadding(x, filter, pad);
    const args = { x: xin, filter, strides: stride, pad: p, dataFormat: 'NHWC' as const, dilations: dilation, bias };
    return strategy === 'dense' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
  });
}

/**
 * The input and padding argument to hand tfjs for symmetric zero padding `pad`: 'valid' for none; the number
 * for a square kernel; the input zero-padded explicitly and 'valid' for a non-square one (tfjs sizes the
 * output of numeric padding from the kernel's height alone: wrong shapes, and out-of-bounds reads on wasm).
 */
export function tfjsPadding(x: tf.Tensor4D, filter: tf.Tensor4D, pad: number): [tf.Tensor4D, number | 'valid'] {
  if (pad === 0) return [x, 'valid'];
  if (filter.shape[0] === filter.shape[1]) return [x, pad];
  return [tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]), 'valid'];
}

/**
 * A dilated stride-1 convolution as TensorFlow's atrous conv: space-to-batch by d (the zero padding folded
 * into its paddings), an undilated 'valid' convolution, batch-to-space (exact, the same products). tfjs has
 * no gradient for dilated conv2d or depthwise kernels, while space/batch reshuffles and undilated convs have one.
 */
function spaceToBatchConv(x: tf.Tensor4D, filter: tf.Tensor4D, pad: number, d: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    // extra bottom/right zeros so each padded size is a multiple of d; the outputs they add are cropped
    const eh = (d - ((h + 2 * pad) % d)) % d;
    const ew = (d - ((w + 2 * pad) % d)) % d;
    const xb = tf.spaceToBatchND(x, [d, d], [[pad, pad + eh], [pad, pad + ew]]) as tf.Tensor4D;
    const yb = strategyCall(xb, filter, 1, 'valid', 1, groups, strategy);
    return tf.batchToSpaceND(yb, [d, d], [[0, eh], [0, ew]]) as tf.Tensor4D;
  });
}

/** The strategy's tfjs calls, as they are (tfjs' own stride/dilation/padding limits apply). */
function strategyCall(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number | 'valid', dilation: number, groups: number, strategy: ConvStrategy): tf.Tensor4D {
  switch (strategy) {
    case 'dense':
      return tf.conv2d(x, filter, stride, pad, 'NHWC', dilation);
    case 'depthwise':
      return tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', dilation);
    case 'split':
      return tf.tidy(() => {
        const xs = splitChannels(x, new Array<number>(groups).fill(x.shape[3] / groups)) as tf.Tensor4D[];
        const ws = splitChannels(filter, new Array<number>(groups).fill(filter.shape[3] / groups)) as tf.Tensor4D[];
        return concatChannels(xs.map((xi, i) => tf.conv2d(xi, ws[i]!, stride, pad, 'NHWC', dilation))) as tf.Tensor4D;
      });
    case 'grouped-sum':
      return tf.tidy(() => {
        const [, , cin, opg] = filter.shape;
        const dw = tf.depthwiseConv2d(x, filter, stride, pad, 'NHWC', dilation);
        if (cin === groups) return dw;
        return sumGroupInputs(dw, groups, cin / groups, opg);
      });
  }
}

/**
 * The grouped-sum reduction: the depthwise output's channels are (group, input of the group, output of the
 * group); sums over the group's inputs. On cpu a matmul with a 0/1 matrix (cpu's sum over a middle axis
 * transposes element by element; the matmul is 2-7x faster); elsewhere a sum over the middle axis of a rank-3
 * view. Both add the same products.
 */
function sumGroupInputs(dw: tf.Tensor4D, groups: number, ipg: number, opg: number): tf.Tensor4D {
  const [b, h, w] = dw.shape;
  if (activeBackend() === 'cpu') {
    const ones = tf.tile(tf.eye(opg), [ipg, 1]);
    return tf.reshape(tf.matMul(tf.reshape(dw, [b * h * w * groups, ipg * opg]), ones), [b, h, w, groups * opg]);
  }
  return tf.reshape(tf.sum(tf.reshape(dw, [b * h * w * groups, ipg, opg]), 1), [b, h, w, groups * opg]);
}
