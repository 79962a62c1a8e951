import * as tf from '@tensorflow/tfjs-core';
import { convLayout, depthwiseLayoutFor, groupedSumLayoutFor, type Layout } from './layout.js';
import { Module } from './module.js';
import { kaimingUniform } from './init.js';
import { conv2dExact, pickConvStrategy, type ConvGeometry, type ConvStrategy } from '../ops/conv.js';
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
 * The internal kernel shape and layout of a strategy: `dense`/`split` (k, k, I/g, O) as tf.conv2d,
 * `depthwise` (k, k, I, O/I) as tf.depthwiseConv2d, `grouped-sum` (k, k, I, O/g). Throws for a strategy that
 * cannot express the grouping.
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
 * PyTorch's nn.Conv2d (square kernel, symmetric zero padding) with any groups, stride, dilation and padding.
 * State keys `weight` (O, I/g, k, k) and `bias`.
 */
export class Conv2d extends Module {
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

  /** Convolves NHWC `x` as PyTorch's Conv2d would (any groups, stride, dilation, padding). */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.cin) {
      throw new Error(`Conv2d(${this.cin}->${this.cout}): expected NHWC input with ${this.cin} channels, got [${x.shape}]`);
    }
    const y = conv2dExact(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.geometry, this.strategy);
    if (isCountingMacs()) countMacs(numel(y.shape) * (this.cin / this.geometry.groups) * this.k * this.k, 'conv');
    return this.bias ? tf.add(y, this.bias) : y;
  }
}
