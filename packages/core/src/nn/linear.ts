import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { linearLayout } from './layout.js';
import { kaimingUniform } from './init.js';
import { countMacs, isCountingMacs } from '../flops.js';

/** PyTorch's nn.Linear over the last axis. State keys `weight` (out, in) and `bias`. */
export class Linear extends Module {
  /** Input features (last axis in). */
  readonly inFeatures: number;
  /** Output features (last axis out). */
  readonly outFeatures: number;
  /** Weight, stored (in, out); key `weight` in PyTorch's (out, in). */
  readonly weight: tf.Variable;
  /** Bias (out), or null without one. */
  readonly bias: tf.Variable | null;

  constructor(inFeatures: number, outFeatures: number, bias = true) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.addParameter('weight', kaimingUniform([inFeatures, outFeatures], inFeatures), linearLayout);
    this.bias = bias ? this.addParameter('bias', kaimingUniform([outFeatures], inFeatures)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures}->${this.outFeatures}): input has ${x.shape[x.rank - 1]} features`);
    }
    const lead = x.shape.slice(0, -1);
    const y2 = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight as tf.Tensor2D);
    if (isCountingMacs()) countMacs(y2.size * this.inFeatures, 'matmul');
    const y = tf.reshape(y2, [...lead, this.outFeatures]);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}
