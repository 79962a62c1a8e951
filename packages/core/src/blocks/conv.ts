import { Module, Identity } from '../nn/module.js';
import { Conv2d } from '../nn/conv2d.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { SiLU } from '../nn/activations.js';
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
 * Keys conv.weight, bn.*; after fuse() conv.weight, conv.bias (added inside the convolution kernel, see
 * `conv2dExactBias`).
 */
export class Conv extends ConvNormAct<Conv2d> {
  /** The activation: the shared default (SiLU), the module passed as `act`, or Identity for `act=false`. */
  declare readonly act: Module;

  constructor(c1: number, c2: number, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act: boolean | Module = true) {
    super(new Conv2d(c1, c2, k, { stride: s, padding: autopad(k, p, d), groups: g, dilation: d }), new BatchNorm2d(c2), resolveAct(act));
  }
}

/** ultralytics' DWConv: Conv with groups = gcd(c1, c2). */
export class DWConv extends Conv {
  constructor(c1: number, c2: number, k = 1, s = 1, d = 1, act: boolean | Module = true) {
    super(c1, c2, k, s, null, gcd(c1, c2), d, act);
  }
}
