import * as tf from '@tensorflow/tfjs-core';
import { Module, Identity } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { SiLU } from '../nn/activations.js';
import type { Fusable } from './fusable.js';
import { isCountingMacs } from '../flops.js';

/** ultralytics' autopad: the padding that keeps the size at stride 1 (dilation-aware). */
export function autopad(k: number, p?: number | null, d = 1): number {
  if (p !== undefined && p !== null) return p;
  const ke = d > 1 ? d * (k - 1) + 1 : k;
  return Math.floor(ke / 2);
}

/** Greatest common divisor. */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/**
 * The activation every Conv uses when `act` is true: one shared module, as ultralytics' class attribute
 * `Conv.default_act` (a YAML `activation:` replaces it while a model is built).
 */
export const defaultActivation: {
  /** The shared activation module (SiLU unless a YAML `activation:` is in force). */
  module: Module;
} = { module: new SiLU() };

/** Resolves Conv's `act` argument: true -> the shared default, a module -> itself, false -> a new Identity. */
export function resolveAct(act: boolean | Module): Module {
  if (act === true) return defaultActivation.module;
  if (act instanceof Module) return act;
  return new Identity();
}

/**
 * ultralytics' Conv(c1, c2, k=1, s=1, p=None, g=1, d=1, act=True): conv (no bias) -> BN -> activation.
 * Keys conv.weight, bn.*; after fuse() conv.weight, conv.bias.
 */
export class Conv extends Module implements Fusable {
  /** The convolution (no bias until `fuse()` gives it one); key prefix `conv.`. */
  conv: Conv2d;
  /** The BatchNorm after the conv (key prefix `bn.`); null once `fuse()` has folded it into the conv. */
  bn: BatchNorm2d | null;
  /** The activation: the shared default (SiLU), the module passed as `act`, or Identity for `act=false`. */
  readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    super();
    this.conv = this.addModule('conv', new Conv2d(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d }));
    this.bn = this.addModule('bn', new BatchNorm2d(c2));
    this.act = this.addModule('act', resolveAct(act));
  }

  /** conv, then BN (unless fused), then the activation; NHWC in and out. */
  forward(x: tf.Tensor): tf.Tensor {
    const fused = this.bn ? null : fusedConvBias(this.conv, x);
    if (fused) return this.act.forward(fused);
    const y = this.conv.forward(x);
    return this.act.forward(this.bn ? this.bn.forward(y) : y);
  }

  /** Folds the BatchNorm into the conv (weight * scale, bias = shift), as ultralytics' fuse_conv_and_bn. */
  fuse(): void {
    if (!this.bn) return;
    foldBatchNorm(this.conv, this.bn);
    this.conv.requiresGrad(false);
    this.bn.dispose();
    this.bn = null;
    this.setModule('bn', null);
  }
}

/**
 * The fused path of a folded Conv: one tf.fused.conv2d with the bias added inside the kernel (wasm/XNNPACK adds
 * it in the accumulator; measured on yolov8n 640 wasm fused, see packages/yolo/BENCHMARK.md). Only for a dense
 * plain Conv2d (not a subclass) with a bias, no stride+dilation, dilation 1 while gradients are recorded (tfjs has no dilated-conv
 * gradient) and not while counting FLOPs; returns null otherwise so the caller takes Conv2d.forward.
 */
function fusedConvBias(conv: Conv2d, x: tf.Tensor): tf.Tensor | null {
  const g = conv.geometry;
  // a Conv2d subclass (DSConv's quantised conv, ...) computes its own way: only the plain Conv2d is fused here
  if (conv.constructor !== Conv2d || !conv.bias || conv.strategy !== 'dense' || isCountingMacs()) return null;
  if (g.dilation > 1 && (g.stride > 1 || tf.engine().isTapeOn())) return null;
  if (x.rank !== 4 || x.shape[3] !== conv.cin) return null; // Conv2d.forward throws the clear error
  return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: conv.weight as tf.Tensor4D, strides: g.stride, pad: g.padding, dataFormat: 'NHWC', dilations: g.dilation, bias: conv.bias });
}

/** Folds an eval-mode BatchNorm into the preceding conv in place (the conv gains a bias). */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm2d): void {
  const { scale, shift } = bn.foldedScaleShift();
  const bias = conv.ensureBias();
  tf.tidy(() => {
    // every internal kernel layout keeps output channels on the last axis, possibly split as (C, m)
    const w = conv.weight;
    const outShape = conv.strategy === 'depthwise' || conv.strategy === 'grouped-sum' ? null : w.shape;
    let scaled: tf.Tensor;
    if (outShape) scaled = tf.mul(w, scale);
    else if (conv.strategy === 'depthwise') {
      const [kh, kw, c, m] = w.shape as number[];
      scaled = tf.mul(w, tf.reshape(scale, [1, 1, c!, m!]));
      void kh;
      void kw;
    } else {
      // grouped-sum: (kh, kw, I, O/g); output o = gi*opg + j, input c belongs to group floor(c / ipg)
      const [kh, kw, cin, opg] = w.shape as number[];
      const groups = conv.geometry.groups;
      const s = tf.reshape(scale, [groups, 1, opg!]);
      scaled = tf.reshape(tf.mul(tf.reshape(w, [kh!, kw!, groups, cin! / groups, opg!]), s), w.shape);
    }
    w.assign(scaled);
    bias.assign(tf.add(tf.mul(bias, scale), shift));
  });
  scale.dispose();
  shift.dispose();
}

/** ultralytics' DWConv: Conv with groups = gcd(c1, c2). */
export class DWConv extends Conv {
  constructor(c1: number, c2: number, k = 1, s = 1, d = 1, act: boolean | Module = true) {
    super(c1, c2, k, s, null, gcd(c1, c2), d, act);
  }
}
