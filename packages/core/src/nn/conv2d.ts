import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { kaimingUniform } from './init.js';
import type { BatchNormFoldable } from './fold-batchnorm.js';
import { conv2dExact, conv2dExactBias, pickConvStrategy } from '../ops/conv.js';
import type { ConvGeometry, ConvStrategy } from '../ops/conv-types.js';
import { kernelLayout, scaleKernelOutputs } from '../ops/kernel-layout.js';
import { countMacs, isCountingMacs, numel } from '../flops.js';

/** Constructor options of {@link Conv2d} (PyTorch's keyword arguments). */
export interface Conv2dOptions {
  /** Stride (default 1). */
  stride?: number;
  /** Zero padding on every side (default 0). */
  padding?: number;
  /** Dilation (default 1). */
  dilation?: number;
  /** Groups; cin and cout must both be multiples of it (default 1). */
  groups?: number;
  /** Whether the conv has a bias (default false, as every ultralytics conv before its BN). */
  bias?: boolean;
  /** Force a grouped-convolution strategy (default: {@link pickConvStrategy}). */
  strategy?: ConvStrategy;
}

/**
 * PyTorch's nn.Conv2d (square kernel, symmetric zero padding) with any groups, stride, dilation and padding.
 * State keys `weight` (O, I/g, k, k) and `bias`. The conv owns its kernel's internal layout (fixed by its
 * strategy): a BatchNorm folds in through {@link Conv2d.scaleOutputs} and {@link Conv2d.addOutputBias}.
 */
export class Conv2d extends Module implements BatchNormFoldable {
  /** Input channels. */
  readonly cin: number;
  /** Output channels. */
  readonly cout: number;
  /** Kernel size (square). */
  readonly k: number;
  /** Stride, padding, dilation and groups. */
  readonly geometry: ConvGeometry;
  /** How the grouped convolution runs, which fixes the weight's internal layout (see {@link kernelLayout}). */
  readonly strategy: ConvStrategy;
  /** The kernel in the strategy's internal layout; state key `weight`, PyTorch shape (O, I/g, k, k). */
  weight: tf.Variable;
  /** The bias (O), or null without one. */
  bias: tf.Variable | null;

  constructor(cin: number, cout: number, k: number, options: Conv2dOptions = {}) {
    super();
    const groups = options.groups ?? 1;
    if (!Number.isInteger(cin) || !Number.isInteger(cout) || cin <= 0 || cout <= 0) {
      throw new Error(`Conv2d: channels must be positive integers, got in=${cin}, out=${cout}`);
    }
    if (cin % groups !== 0 || cout % groups !== 0) {
      throw new Error(`Conv2d: in_channels ${cin} and out_channels ${cout} must be divisible by groups ${groups}`);
    }
    this.cin = cin;
    this.cout = cout;
    this.k = k;
    this.geometry = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups };
    this.strategy = options.strategy ?? pickConvStrategy(cin, groups);
    const { shape, layout } = kernelLayout(cin, cout, k, groups, this.strategy);
    const fanIn = (cin / groups) * k * k;
    this.weight = this.addParameter('weight', kaimingUniform(shape, fanIn), layout);
    this.bias = options.bias ? this.addParameter('bias', kaimingUniform([cout], fanIn)) : null;
  }

  /** Adds a bias parameter (zeros) if the conv has none, e.g. when a BatchNorm is folded in. */
  ensureBias(): tf.Variable {
    if (!this.bias) this.bias = this.addParameter('bias', tf.zeros([this.cout]));
    return this.bias;
  }

  /** Multiplies output channel o of the kernel (in its internal layout) and of the bias by `scale[o]`, in place. */
  scaleOutputs(scale: tf.Tensor1D): void {
    tf.tidy(() => {
      this.weight.assign(scaleKernelOutputs(this.weight as tf.Tensor4D, scale, this.geometry.groups, this.strategy));
      if (this.bias) this.bias.assign(tf.mul(this.bias, scale));
    });
  }

  /** Adds `shift` to the bias, creating it (zeros) first when the conv has none. */
  addOutputBias(shift: tf.Tensor1D): void {
    const bias = this.ensureBias();
    tf.tidy(() => bias.assign(tf.add(bias, shift)));
  }

  /** Convolves NHWC `x` as PyTorch's Conv2d would (any groups, stride, dilation, padding). */
  forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    return this.convolve(x as tf.Tensor4D, this.weight as tf.Tensor4D);
  }

  /** Throws naming the layer unless `x` is an NHWC batch with `cin` channels. */
  protected checkInput(x: tf.Tensor): void {
    if (x.rank !== 4 || x.shape[3] !== this.cin) {
      throw new Error(`${this.typeName}(${this.cin}->${this.cout}): expected NHWC input with ${this.cin} channels, got [${x.shape}]`);
    }
  }

  /**
   * Convolves `x` with `filter` (this conv's internal layout: the weight, or a kernel computed from it), counts
   * the MACs and adds the bias: the forward of the conv and of subclasses that transform their kernel.
   */
  protected convolve(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor {
    const y = this.bias ? conv2dExactBias(x, filter, this.geometry, this.strategy, this.bias as tf.Tensor1D) : conv2dExact(x, filter, this.geometry, this.strategy);
    if (isCountingMacs()) countMacs(numel(y.shape) * (this.cin / this.geometry.groups) * this.k * this.k, 'conv');
    return y;
  }
}
