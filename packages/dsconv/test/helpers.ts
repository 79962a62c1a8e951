import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, Conv, coreModules, Registry, type DetectionModel, type Module } from '@plugconv/core';
import { loadYoloConfig } from '@plugconv/core/node';
import { modules } from '../src/index.js';

/** Path of a file in packages/dsconv/fixtures. */
export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Path of a shipped config in packages/yolo/configs. */
export const configPath = (name: string) => fileURLToPath(new URL(`../../yolo/configs/${name}`, import.meta.url));

/** Core's blocks and this package's modules. */
export const registry = new Registry(coreModules, modules);

/** Builds a shipped config at a scale with this package's registry. */
export function shippedModel(cfg: string, scale: string): DetectionModel {
  return buildModel(loadYoloConfig(configPath(cfg)), { registry, scale, warn: () => {}, ultralytics: '8.2' });
}

/** A module from a fixture's json (module name and constructor args). */
export const byMeta = (meta: Record<string, unknown>) => registry.get(meta.module as string)!.create(...(meta.args as unknown[]));

/** A deterministic pseudo-random float32 tensor, uniform in [lo, hi). */
export function seeded(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  return tf.randomUniform(shape, lo, hi, 'float32', seed);
}

/** Python's round on a float (half to even). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Scalar reference of DESIGN.md's VQK/KDS quantiser on a PyTorch-layout kernel (O, I, kh, kw), float32 steps
 * via Math.fround: returns the integer codes, the alphas (O, nb, kh, kw) and the dequantised kernel.
 */
export function referenceQuantize(w: Float32Array, shape: number[], bits: number, block: number) {
  const [o, i, kh, kw] = shape as [number, number, number, number];
  const nb = Math.ceil(i / block);
  const half = 2 ** (bits - 1);
  const codes = new Float32Array(w.length);
  const alpha = new Float32Array(o * nb * kh * kw);
  const kernel = new Float32Array(w.length);
  const at = (oo: number, c: number, y: number, x: number) => ((oo * i + c) * kh + y) * kw + x;
  for (let oo = 0; oo < o; oo++)
    for (let b = 0; b < nb; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const cs: number[] = [];
          for (let c = b * block; c < Math.min(i, (b + 1) * block); c++) cs.push(at(oo, c, y, x));
          let e = 0;
          for (const j of cs) if (Math.abs(w[j]!) > Math.abs(e)) e = w[j]!;
          let num = 0;
          let den = 0;
          const s = e === 0 ? 0 : Math.fround(-half / e);
          for (const j of cs) {
            const q = Math.min(half - 1, Math.max(-half, roundHalfEven(Math.fround(s * w[j]!))));
            codes[j] = q;
            num += w[j]! * q;
            den += q * q;
          }
          const a = den === 0 ? 0 : Math.fround(num / den);
          alpha[((oo * nb + b) * kh + y) * kw + x] = a;
          for (const j of cs) kernel[j] = Math.fround(a * codes[j]!);
        }
  return { codes, alpha, kernel };
}

/** Random BatchNorm affine parameters and running stats for `bn.*` keys under `prefix`. */
export function randomizeBatchNorms(module: Module<any, any>, seed: number): void {
  const sd = module.stateDict();
  let k = seed;
  for (const [key, t] of sd) {
    if (key.endsWith('bn.weight')) sd.set(key, seeded(t.shape, k++, 0.5, 1.5));
    else if (key.endsWith('bn.bias') || key.endsWith('bn.running_mean')) sd.set(key, seeded(t.shape, k++, -0.2, 0.2));
    else if (key.endsWith('bn.running_var')) sd.set(key, seeded(t.shape, k++, 0.5, 2));
    else continue;
    t.dispose();
  }
  module.loadStateDict(sd);
  for (const t of sd.values()) t.dispose();
}

/** A core Conv with the same state as a DSConv2D, its conv weight replaced by `kernel` (PyTorch layout). */
export function referenceConv(c1: number, c2: number, k: number, s: number, g: number, d: number, state: Map<string, tf.Tensor>, kernel: tf.Tensor): Conv {
  const conv = new Conv(c1, c2, k, s, null, g, d);
  const sd = new Map(state);
  sd.set('conv.weight', kernel);
  conv.loadStateDict(sd);
  return conv;
}

/** max |a - b| */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
