import * as tf from '@tensorflow/tfjs-core';
import { concatChannels } from '../ops/channels.js';
import { Module } from './module.js';
import { countMacs, isCountingMacs } from '../flops.js';
import { checkIntArgs } from './check-args.js';

/** PyTorch's nn.MaxPool2d(k, stride, padding) (padding never wins the max). */
export class MaxPool2d extends Module {
  constructor(
    /** Window size (square). */
    readonly kernelSize: number,
    /** Stride (default: the window size). */
    readonly stride: number = kernelSize,
    /** Padding on every side; padded cells never win the max. */
    readonly padding = 0,
  ) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.maxPool(x as tf.Tensor4D, this.kernelSize, this.stride, this.padding);
  }
}

/** Global average pool to 1x1, keeping dims (PyTorch's AdaptiveAvgPool2d(1)); counts (in_area + 1) * out_numel. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (isCountingMacs()) countMacs((h * w + 1) * b * c);
  return tf.mean(x, [1, 2], true) as tf.Tensor4D;
}

/** nn.AdaptiveAvgPool2d(1). */
export class AdaptiveAvgPool2d extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return globalAvgPool(x as tf.Tensor4D);
  }
}

/** Nearest-neighbour upsampling by an integer factor (PyTorch's nn.Upsample(None, s, 'nearest')). */
export class Upsample extends Module {
  constructor(
    /** Integer upsampling factor. */
    readonly scaleFactor: number,
    /** Only `nearest` is supported. */
    readonly mode = 'nearest',
  ) {
    super();
    if (mode !== 'nearest') throw new Error(`Upsample: only mode 'nearest' is supported, got '${mode}'`);
    checkIntArgs('Upsample', { 'scale factor': scaleFactor });
  }
  forward(x: tf.Tensor): tf.Tensor {
    const [b, h, w, c] = x.shape as number[];
    const s = this.scaleFactor;
    if (isCountingMacs()) countMacs(b! * h! * s * w! * s * c!);
    // without corner alignment or half-pixel centres the source index is floor(i / s): PyTorch's nearest
    return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [h! * s, w! * s], false, false);
  }
}

/** Concatenates along PyTorch dimension `dim` (1 = channels, the last NHWC axis). */
export class Concat extends Module<tf.Tensor[], tf.Tensor> {
  constructor(
    /** PyTorch dimension; only 1 (channels) is supported. */
    readonly dim = 1,
  ) {
    super();
    if (dim !== 1) throw new Error(`Concat: only dimension 1 (channels) is supported, got ${dim}`);
  }
  forward(xs: tf.Tensor[]): tf.Tensor {
    return concatChannels(xs);
  }
}
