import * as tf from '@tensorflow/tfjs-core';
import { checkIntArgs, globalAvgPool, Linear, Module, type BatchNormFoldable } from '@plugconv/core';
import { CondConv2d } from './cond-conv2d.js';
import type { DynamicConvStrategy } from './strategies.js';

/** timm's default CondConv padding: ((s - 1) + d * (k - 1)) // 2. */
export function condConvPadding(k: number, s = 1, d = 1): number {
  return Math.floor((s - 1 + d * (k - 1)) / 2);
}

/**
 * ParameterNet's DynamicConv2d(c1, c2, k=1, s=1, p, d=1, g=1, bias=false, experts=4), as the reference code's
 * `DynamicConv`: routing = sigmoid(Linear(c1, E)(global average pool of x)); each sample is convolved with
 * its own kernel routing @ experts (timm's CondConv2d). Padding ((s-1) + d*(k-1)) // 2 unless given.
 * State keys routing.weight, routing.bias, cond_conv.weight (E, c2*(c1/g)*k*k) (+ cond_conv.bias with
 * `bias`, and `bias` (c2) once a BatchNorm has been folded in).
 */
export class DynamicConv2d extends Module implements BatchNormFoldable {
  /** Input channels (c1). */
  readonly cin: number;
  /** Output channels (c2). */
  readonly cout: number;
  /** The routing head Linear(c1, E) on the global average pool (keys `routing.weight`, `routing.bias`). */
  readonly routing: Linear;
  /** The experts and the per-sample convolution (keys `cond_conv.*`). */
  readonly condConv: CondConv2d;
  /** Output bias shared by every sample (key `bias`); only present once a BatchNorm is folded in ({@link DynamicConv2d.addOutputBias}). */
  outputBias: tf.Variable | null = null;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, d = 1, g = 1, bias = false, experts = 4) {
    super();
    checkIntArgs('DynamicConv2d', { c1, c2, 'kernel size k': k, 'stride s': s, 'dilation d': d, 'groups g': g, experts }, 1, { bound: true });
    if (p !== null && p !== undefined) checkIntArgs('DynamicConv2d', { 'padding p': p }, 0);
    if (c1 % g !== 0 || c2 % g !== 0) throw new Error(`DynamicConv2d: c1 ${c1} and c2 ${c2} must be divisible by groups ${g}`);
    this.cin = c1;
    this.cout = c2;
    const padding = p ?? condConvPadding(k, s, d);
    this.routing = this.addModule('routing', new Linear(c1, experts));
    this.condConv = this.addModule('cond_conv', new CondConv2d(c1, c2, k, { stride: s, padding, dilation: d, groups: g }, experts, bias));
  }

  /** Number of experts. */
  get experts(): number {
    return this.condConv.shape.experts;
  }

  /** The per-sample convolution strategy (`auto` by default; see the package README's measurements). */
  get strategy(): DynamicConvStrategy | 'auto' {
    return this.condConv.strategy;
  }
  /** Sets the per-sample convolution strategy (a {@link DynamicConvStrategy} or `auto`). */
  set strategy(s: DynamicConvStrategy | 'auto') {
    this.condConv.setStrategy(s);
  }

  /** Routing weights sigmoid(routing(GAP(x))), shape (B, E). */
  routingWeights(x: tf.Tensor4D): tf.Tensor2D {
    const pooled = tf.reshape(globalAvgPool(x), [x.shape[0], this.cin]);
    return tf.sigmoid(this.routing.forward(pooled)) as tf.Tensor2D;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.cin) {
      throw new Error(`DynamicConv2d(${this.cin}->${this.cout}): expected NHWC input with ${this.cin} channels, got [${x.shape}]`);
    }
    const y = this.condConv.forward([x, this.routingWeights(x as tf.Tensor4D)]);
    return this.outputBias ? tf.add(y, this.outputBias) : y;
  }

  /**
   * Multiplies output channel o of every expert's kernel (and bias) and of the output bias by `scale[o]`, in
   * place: the scale commutes with the per-sample mixing, so a following BatchNorm's scale folds in.
   */
  scaleOutputs(scale: tf.Tensor1D): void {
    this.condConv.scaleOutputs(scale);
    if (this.outputBias) {
      const b = tf.tidy(() => tf.mul(this.outputBias!, scale));
      this.outputBias.assign(b);
      b.dispose();
    }
  }

  /** Adds `shift` to the output bias shared by every sample, creating it (key `bias`) when there is none. */
  addOutputBias(shift: tf.Tensor1D): void {
    if (!this.outputBias) {
      this.outputBias = this.addParameter('bias', shift.clone());
      return;
    }
    const b = tf.tidy(() => tf.add(this.outputBias!, shift));
    this.outputBias.assign(b);
    b.dispose();
  }
}
