import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { countMacs, isCountingMacs } from '../flops.js';

/**
 * PyTorch's nn.BatchNorm2d over NHWC. Eval: running statistics. Training: batch statistics (biased variance)
 * and running stats updated as PyTorch does: r = (1 - momentum) * r + momentum * batch, with the unbiased
 * batch variance for running_var. Defaults are ultralytics' (eps 1e-3, momentum 0.03).
 */
export class BatchNorm2d extends Module {
  /** Number of channels (the last NHWC axis). */
  readonly channels: number;
  /** Added to the variance (ultralytics: 1e-3). */
  readonly eps: number;
  /** Running-statistics momentum, PyTorch's convention (ultralytics: 0.03). */
  readonly momentum: number;
  /** Scale gamma (key `weight`). */
  readonly weight: tf.Variable;
  /** Shift beta (key `bias`). */
  readonly bias: tf.Variable;
  /** Running mean buffer (key `running_mean`). */
  readonly runningMean: tf.Variable;
  /** Running (unbiased) variance buffer (key `running_var`). */
  readonly runningVar: tf.Variable;

  constructor(channels: number, eps = 1e-3, momentum = 0.03) {
    super();
    this.channels = channels;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = this.addParameter('weight', tf.ones([channels]));
    this.bias = this.addParameter('bias', tf.zeros([channels]));
    this.runningMean = this.addBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.addBuffer('running_var', tf.ones([channels]));
  }

  /** Per-channel scale and shift of the eval-mode transform: y = x * scale + shift. */
  foldedScaleShift(): {
    /** weight / sqrt(running_var + eps), per channel. */
    scale: tf.Tensor1D;
    /** bias - running_mean * scale, per channel. */
    shift: tf.Tensor1D;
  } {
    return tf.tidy(() => {
      const scale = tf.div(this.weight, tf.sqrt(tf.add(this.runningVar, this.eps))) as tf.Tensor1D;
      const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale)) as tf.Tensor1D;
      return { scale, shift };
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.channels) {
      throw new Error(`BatchNorm2d(${this.channels}): input has ${x.shape[x.rank - 1]} channels`);
    }
    // thop counts an affine norm as 2*numel twice (normalise, then scale and shift); figures.json follows it
    if (isCountingMacs()) countMacs(4 * x.size);
    if (!this.training) {
      // PyTorch's CPU inference kernel: alpha = w / sqrt(var + eps), beta = b - mean * alpha, y = x * alpha + beta
      const { scale, shift } = this.foldedScaleShift();
      return tf.add(tf.mul(x, scale), shift);
    }
    const axes = [...Array(x.rank - 1).keys()];
    const { mean, variance } = tf.moments(x, axes);
    const n = x.size / this.channels;
    tf.tidy(() => {
      const m = this.momentum;
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
    });
    return tf.batchNorm(x, mean, variance, this.bias, this.weight, this.eps);
  }
}
