import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { countMacs, isCountingMacs } from '../flops.js';

/**
 * PyTorch's nn.BatchNorm2d over NHWC. Eval: running statistics. Training: batch statistics (biased variance)
 * and running stats updated as PyTorch does: r = (1 - momentum) * r + momentum * batch, with the unbiased
 * batch variance for running_var. Defaults are ultralytics' (eps 1e-3, momentum 0.03).
 */
export class BatchNorm2d extends Module {
  readonly channels: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
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
  foldedScaleShift(): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
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
