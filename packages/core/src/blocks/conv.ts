import * as tf from '@tensorflow/tfjs-core';
import { Module, Identity } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { SiLU } from '../nn/activations.js';
import { isCountingMacs } from '../flops.js';
import { gcd } from '../math.js';
import { ConvNormAct } from './conv-norm-act.js';

/** ultralytics' autopad: the padding that keeps the size at stride 1 (dilation-aware). */
export function autopad(k: number, p?: number | null, d = 1): number {
  if (p !== undefined && p !== null) return p;
  const ke = d > 1 ? d * (k - 1) + 1 : k;
  return Math.floor(ke / 2);
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
export class Conv extends ConvNormAct<Conv2d> {
  /** The activation: the shared default (SiLU), the module passed as `act`, or Identity for `act=false`. */
  declare readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    super(new Conv2d(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d }), new BatchNorm2d(c2), resolveAct(act));
  }

  /** conv, then BN (unless fused), then the activation; NHWC in and out. A fused dense conv runs as one fused tfjs op. */
  override forward(x: tf.Tensor): tf.Tensor {
    const fused = this.bn ? null : fusedConvBias(this.conv, x);
    return fused ? this.act.forward(fused) : super.forward(x);
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

/** ultralytics' DWConv: Conv with groups = gcd(c1, c2). */
export class DWConv extends Conv {
  constructor(c1: number, c2: number, k = 1, s = 1, d = 1, act: boolean | Module = true) {
    super(c1, c2, k, s, null, gcd(c1, c2), d, act);
  }
}
